//! `db::Writer` (DESIGN "group commit"): many jobs at once, some of which write and then
//! fail. Each failing job's writes are rolled back alone; every other job's are kept and
//! answered only after commit. A job that runs alone (no savepoint, its transaction is the
//! group's) is rolled back whole when it fails, and the writer goes on.

use crate::helpers::both_backends;
use diesel::prelude::*;
use placard::db::schema::core_list;
use placard::error::AppError;

both_backends!(a10_a_failing_job_rolls_back_alone_among_concurrent_jobs, |app| {
    sixty_jobs_every_third_failing(&app.state).await;
    let names: Vec<String> =
        app.query(|c| core_list::table.filter(core_list::name.like("list %")).select(core_list::name).load(c));
    assert_eq!(names.len(), 40, "the 40 that succeeded, none of the 20 that failed");
    assert!(names.iter().all(|n| n.trim_start_matches("list ").parse::<usize>().unwrap() % 3 != 0));
});

both_backends!(a10_a_job_run_alone_that_fails_after_writing_leaves_nothing, |app| {
    jobs_one_at_a_time_the_second_failing(&app.state).await;
});

/// Three jobs one after another, each waited for, so each is taken alone; the second
/// writes two lists and fails: nothing of it is kept, and the third commits.
pub(crate) async fn jobs_one_at_a_time_the_second_failing(state: &placard::AppState) {
    for i in 0..3 {
        let result = state
            .db
            .writer
            .submit(move |c| {
                let now = chrono::Utc::now().naive_utc();
                placard::people::store::insert_list(c, &format!("alone {i}"), false, now)?;
                placard::people::store::insert_list(c, &format!("alone {i} second"), false, now)?;
                if i == 1 {
                    return Err(AppError::BadRequest(format!("job {i} fails")));
                }
                Ok(i)
            })
            .await;
        match (i, result) {
            (1, Err(AppError::BadRequest(m))) => assert_eq!(m, "job 1 fails"),
            (0 | 2, Ok(n)) => assert_eq!(n, i),
            (_, other) => panic!("job {i}: {other:?}"),
        }
    }
    let mut names: Vec<String> = state
        .db
        .read_now(|c| Ok(core_list::table.filter(core_list::name.like("alone %")).select(core_list::name).load(c)?))
        .expect("lists");
    names.sort();
    assert_eq!(names, ["alone 0", "alone 0 second", "alone 2", "alone 2 second"], "nothing of the failed job");
}

/// Submits 60 jobs at once, each writing a list, every third failing after its write;
/// asserts each caller got its own job's answer.
pub(crate) async fn sixty_jobs_every_third_failing(state: &placard::AppState) {
    let jobs = (0..60).map(|i| {
        let writer = state.db.writer.clone();
        async move {
            writer
                .submit(move |c| {
                    placard::people::store::insert_list(
                        c,
                        &format!("list {i}"),
                        false,
                        chrono::Utc::now().naive_utc(),
                    )?;
                    // Every third job fails after writing.
                    if i % 3 == 0 {
                        return Err(AppError::BadRequest(format!("job {i} fails")));
                    }
                    Ok(i)
                })
                .await
        }
    });
    let results = futures_util::future::join_all(jobs).await;
    for (i, result) in results.iter().enumerate() {
        match (i % 3 == 0, result) {
            (true, Err(AppError::BadRequest(m))) => assert_eq!(m, &format!("job {i} fails")),
            (false, Ok(n)) => assert_eq!(*n, i),
            (_, other) => panic!("job {i}: {other:?}"),
        }
    }
}
