//! A real, minimal SMTP server on loopback for the mail tests (DESIGN "Testing": a real
//! SMTP server, never a fake transport). It speaks EHLO/HELO, MAIL, RCPT, DATA, RSET,
//! NOOP and QUIT, keeps every message it accepts, and hands them out in order through
//! `next_message`, which waits on a channel (never a sleep). `Received` decodes what the
//! tests look at: headers (RFC 2047 words) and the text and HTML parts (base64 or
//! quoted-printable).

use base64::Engine as _;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// One accepted message: its envelope and its raw content (dot-unstuffed).
#[derive(Clone, Debug)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: String,
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    messages: mpsc::UnboundedReceiver<Received>,
}

impl SmtpSink {
    /// Listens on 127.0.0.1 at a free port and serves on the running test runtime.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("sink binds");
        let addr = listener.local_addr().expect("sink address");
        let (tx, messages) = mpsc::unbounded_channel();
        actix_web::rt::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                actix_web::rt::spawn(serve(stream, tx.clone()));
            }
        });
        Self { addr, messages }
    }

    /// `smtp://127.0.0.1:PORT`, for `PLACARD_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// The next message accepted, waiting at most `timeout`; `None` if none came.
    pub async fn next_message(&mut self, timeout: Duration) -> Option<Received> {
        tokio::time::timeout(timeout, self.messages.recv()).await.ok().flatten()
    }

    /// A message already accepted, without waiting.
    pub fn try_next(&mut self) -> Option<Received> {
        self.messages.try_recv().ok()
    }
}

async fn serve(stream: TcpStream, tx: mpsc::UnboundedSender<Received>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut envelope = Received { mail_from: String::new(), rcpt_to: vec![], data: String::new() };
    if write.write_all(b"220 sink.test ESMTP ready\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let verb = command.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" => b"250 sink.test\r\n",
            "MAIL" => {
                envelope = Received { mail_from: path(command), rcpt_to: vec![], data: String::new() };
                b"250 2.1.0 OK\r\n"
            }
            "RCPT" => {
                envelope.rcpt_to.push(path(command));
                b"250 2.1.5 OK\r\n"
            }
            "DATA" => {
                if write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.is_err() {
                    return;
                }
                let Some(data) = read_data(&mut lines).await else { return };
                envelope.data = data;
                let _ = tx.send(envelope.clone());
                b"250 2.0.0 queued\r\n"
            }
            "RSET" => {
                envelope = Received { mail_from: String::new(), rcpt_to: vec![], data: String::new() };
                b"250 2.0.0 OK\r\n"
            }
            "NOOP" => b"250 2.0.0 OK\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 2.0.0 bye\r\n").await;
                return;
            }
            _ => b"502 5.5.2 command not implemented\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// `MAIL FROM:<a@b> SIZE=1` → `a@b`.
fn path(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..].find('>').map_or(command.len(), |i| start + i);
    command[start..end].to_owned()
}

/// The message up to the lone `.` line, with leading dots unstuffed.
async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            return Some(data);
        }
        data.push_str(content.strip_prefix('.').unwrap_or(content));
        data.push_str("\r\n");
    }
}

impl Received {
    /// A header's value, unfolded and with RFC 2047 words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        header_in(head(&self.data), name)
    }

    /// The decoded `text/plain` part.
    pub fn text(&self) -> Option<String> {
        self.part("text/plain")
    }

    /// The decoded `text/html` part.
    pub fn html(&self) -> Option<String> {
        self.part("text/html")
    }

    fn part(&self, mime: &str) -> Option<String> {
        find_part(&self.data, mime)
    }
}

fn head(entity: &str) -> &str {
    entity.split("\r\n\r\n").next().unwrap_or_default()
}

fn body(entity: &str) -> &str {
    entity.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

fn header_in(head: &str, name: &str) -> Option<String> {
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.split("\r\n").find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| decode_words(value.trim()))
    })
}

fn find_part(entity: &str, mime: &str) -> Option<String> {
    let content_type = header_in(head(entity), "Content-Type").unwrap_or_else(|| "text/plain".into());
    let lower = content_type.to_ascii_lowercase();
    if lower.starts_with("multipart/") {
        let boundary = content_type.split(';').find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            k.eq_ignore_ascii_case("boundary").then(|| v.trim_matches('"').to_owned())
        })?;
        let delimiter = format!("--{boundary}");
        return body(entity)
            .split(&delimiter)
            .skip(1)
            .take_while(|p| !p.starts_with("--"))
            .find_map(|p| find_part(p.trim_start_matches("\r\n"), mime));
    }
    if !lower.starts_with(mime) {
        return None;
    }
    let encoding = header_in(head(entity), "Content-Transfer-Encoding").unwrap_or_default().to_ascii_lowercase();
    let raw = body(entity);
    Some(match encoding.as_str() {
        "base64" => String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(raw.split_whitespace().collect::<String>())
                .expect("base64 part"),
        )
        .expect("UTF-8 part"),
        "quoted-printable" => String::from_utf8(decode_qp(raw, false)).expect("UTF-8 part"),
        _ => raw.to_owned(),
    })
}

/// Quoted-printable (RFC 2045), or RFC 2047's `Q` form (`_` is a space) when `q_word`.
fn decode_qp(text: &str, q_word: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1..i + 3) == Some(b"\r\n") => i += 3,
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3).unwrap_or_default()).unwrap_or_default();
                if let Ok(b) = u8::from_str_radix(hex, 16) {
                    out.push(b);
                    i += 3;
                } else {
                    out.push(b'=');
                    i += 1;
                }
            }
            b'_' if q_word => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Decodes `=?charset?B|Q?…?=` words (UTF-8 only); blanks between two words vanish.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let Some(word) = encoded_word(&rest[start..]) else {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            last_was_word = false;
            continue;
        };
        let between = &rest[..start];
        if !(last_was_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        out.push_str(&word.0);
        rest = &rest[start + word.1..];
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

/// One encoded word at the start of `s`: its text and its length.
fn encoded_word(s: &str) -> Option<(String, usize)> {
    let mut parts = s[2..].splitn(3, '?');
    let (_charset, encoding, tail) = (parts.next()?, parts.next()?, parts.next()?);
    let end = tail.find("?=")?;
    let payload = &tail[..end];
    let bytes = match encoding {
        "B" | "b" => base64::engine::general_purpose::STANDARD.decode(payload).ok()?,
        "Q" | "q" => decode_qp(payload, true),
        _ => return None,
    };
    let consumed = s.len() - tail.len() + end + 2;
    Some((String::from_utf8(bytes).ok()?, consumed))
}
