//! `placard check-templates` (SPEC T2, O3): every template of every set compiles, and every
//! page type's template renders with a realistic context in every set — a render is what
//! finds an unknown filter or a bad include, which compiling alone does not.

use std::collections::BTreeMap;

use super::context::{ActionPageContext, RenderInput};
use super::{Renderer, TemplateError, ORIGINAL};
use crate::error::{FieldError, ValidationErrors};
use crate::i18n::I18n;
use crate::pages::{Page, PageType};
use crate::privacy::PrivacySettings;

/// A page of `kind` with every text filled, for rendering checks and previews.
pub fn sample_page(kind: PageType) -> Page {
    let now = chrono::NaiveDateTime::default();
    Page {
        id: 0,
        name: format!("sample-{}", kind.privacy_name()),
        title: format!("Sample {}", kind.as_str()),
        page_type: kind.as_str().to_owned(),
        lang: crate::i18n::DEFAULT_LANG.to_owned(),
        list_id: 1,
        templateset_id: None,
        payment_account_id: None,
        status: "active".to_owned(),
        required_fields: "first_name,last_name".to_owned(),
        goal: Some(100),
        unsubscribe_all: true,
        allow_taf: false,
        introduction_text: "<p>Introduction</p>".to_owned(),
        statement_leadin: "Lead-in".to_owned(),
        statement_text: "<p>Statement</p>".to_owned(),
        about_text: "<p>About</p>".to_owned(),
        thank_you_text: "<p>Thanks</p>".to_owned(),
        survey_question_text: String::new(),
        ground_rules: String::new(),
        created_at: now,
        updated_at: now,
    }
}

/// All problems in all sets: compile errors, then render errors per page type, with an
/// error shown on the form so the error branches render too.
pub fn check_templates(renderer: &Renderer, i18n: &I18n, privacy: &PrivacySettings) -> Vec<TemplateError> {
    let mut problems = renderer.check_all();
    let sources = renderer.sources();
    let mut sets = vec![ORIGINAL.to_owned()];
    sets.extend(sources.sets().map(|s| s.name.clone()));
    let errors = ValidationErrors(vec![FieldError {
        field: "email".into(),
        code: "invalid".into(),
        message: "Invalid.".into(),
    }]);
    for set in &sets {
        for kind in PageType::ALL.into_iter().filter(|k| k.is_public()) {
            let page = sample_page(kind);
            for (file, errs) in [(kind.template(), &errors), ("thanks.html", &ValidationErrors::default())] {
                let ctx = ActionPageContext::new(
                    &page,
                    RenderInput {
                        client_name: "Check",
                        i18n,
                        privacy,
                        page_fields: &BTreeMap::new(),
                        templateset: set,
                        values: BTreeMap::new(),
                        errors: errs,
                        args: BTreeMap::new(),
                        path: "/",
                    },
                );
                if let Err(e) = renderer.render(set, file, &minijinja::Value::from_serialize(&ctx)) {
                    let problem = TemplateError {
                        template: format!("{}/{file}", set.to_lowercase()),
                        line: None,
                        message: format!("rendering a {} page: {e}", kind.as_str()),
                    };
                    if !problems.contains(&problem) {
                        problems.push(problem);
                    }
                }
            }
        }
    }
    problems
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::templatesets::{SetSources, Sources};

    #[test]
    fn o3_check_templates_passes_on_original_and_finds_render_errors_in_staff_sets() {
        let i18n = I18n::load().unwrap();
        let privacy = PrivacySettings::default();
        assert_eq!(check_templates(&Renderer::new(Sources::default()), &i18n, &privacy), vec![]);
        let broken = Sources::new(vec![SetSources {
            id: 1,
            name: "Broken".into(),
            revision: 1,
            files: [("thanks.html".to_owned(), "{{ page.title|no_such_filter }}".to_owned())].into_iter().collect(),
        }]);
        let problems = check_templates(&Renderer::new(broken), &i18n, &privacy);
        assert!(!problems.is_empty());
        assert!(problems.iter().all(|p| p.template == "broken/thanks.html"), "{problems:?}");
        assert!(problems[0].message.contains("no_such_filter"), "{}", problems[0]);
    }
}
