//! How a possible duplicate is explained wherever one is shown (the review queue, the warning in
//! the customer form): the score as a percentage, the confidence as a badge, and the evidence
//! field by field, with both values, how alike they are, how they were compared and whether the
//! field speaks against the match. Fields that differ, and fields only one record has, stand
//! out. The wording is plain functions, unit-tested on the host.

use leptos::prelude::*;
use tenure_api_types::MatchEvidence;

use crate::components::Badge;
use crate::format::{self, Tone};

/// A 0-1 score as a whole percentage, never rounded up to 100% unless it is 1.
pub fn score_text(score: f64) -> String {
    let score = if score.is_finite() {
        score.clamp(0.0, 1.0)
    } else {
        0.0
    };
    format!("{:.0}%", (score * 100.0).floor())
}

/// `high` (likely the same) and `medium` (worth a look), as a person reads them.
fn confidence_words(confidence: &str) -> (&'static str, &'static str, Tone) {
    match confidence {
        "high" => ("High", "Likely the same customer", Tone::Bad),
        "medium" => ("Medium", "Worth a look", Tone::Warn),
        _ => ("Low", "Unlikely to be the same", Tone::Neutral),
    }
}

/// A field the matcher compares, by its name in the evidence.
pub fn field_label(field: &str) -> String {
    match field {
        "name" => "Name".to_owned(),
        "first_name" => "First name".to_owned(),
        "last_name" => "Last name".to_owned(),
        "birth_date" => "Birth date".to_owned(),
        "email" => "Email".to_owned(),
        "phone" => "Phone".to_owned(),
        "domain" => "Website domain".to_owned(),
        "address" => "Address".to_owned(),
        "tax_id" => "Tax id".to_owned(),
        other => format::humanize(other),
    }
}

/// How two values were compared, by the evidence's `rule`.
pub fn rule_label(rule: &str) -> String {
    match rule {
        "exact" => "The same".to_owned(),
        "jaro_winkler" | "typo" => "Similar spelling".to_owned(),
        "token_set" => "Same words, in another order or with others".to_owned(),
        "nickname" => "A nickname of the same name".to_owned(),
        "swapped" => "First and last name swapped".to_owned(),
        "day_month_swapped" => "Day and month swapped".to_owned(),
        "one_digit" => "One digit apart".to_owned(),
        "same_month" => "Same month, another day".to_owned(),
        "same_domain_jaro_winkler" => "Same domain, similar mailbox".to_owned(),
        "e164" => "The same number".to_owned(),
        "national_number" => "The same number without the country code".to_owned(),
        "levenshtein" => "A few characters apart".to_owned(),
        "registrable_domain" => "The same domain".to_owned(),
        "different" => "Different".to_owned(),
        "one_sided" => "Only one of them has it".to_owned(),
        "common_name" => "A common name: sharing it says less".to_owned(),
        "different_number" => "Same provider, another numbered mailbox".to_owned(),
        other => format::humanize(other),
    }
}

/// Whether a row agrees fully, differs, or is one-sided (a class for the stylesheet).
fn row_class(evidence: &MatchEvidence) -> &'static str {
    if evidence.rule == "one_sided" || evidence.rule == "common_name" {
        "is-one-sided"
    } else if evidence.similarity >= 1.0 {
        "is-same"
    } else {
        "is-different"
    }
}

/// One side's value: a one-sided row only says whether that side has the field; a
/// common-name row says how many bear the name.
fn value_text(evidence: &MatchEvidence, value: &str) -> String {
    if evidence.rule == "one_sided" {
        if value.is_empty() { "—" } else { "Given" }.to_owned()
    } else if value.is_empty() {
        "—".to_owned()
    } else {
        value.to_owned()
    }
}

/// High or Medium, with what it means as a tooltip.
#[component]
pub fn ConfidenceBadge(#[prop(into)] confidence: String) -> impl IntoView {
    let (word, meaning, tone) = confidence_words(&confidence);
    view! {
        <span class="confidence" title=meaning data-testid="confidence">
            <Badge tone=tone text=format!("{word} confidence")/>
        </span>
    }
}

/// The evidence of one match as a table; `left` and `right` head the two value columns.
#[component]
pub fn EvidenceTable(
    evidence: Vec<MatchEvidence>,
    #[prop(into)] left: String,
    #[prop(into)] right: String,
) -> impl IntoView {
    let caption = format!("Why {left} and {right} may be the same");
    let (left_label, right_label) = (left.clone(), right.clone());
    let rows = evidence
        .into_iter()
        .map(|e| {
            let against = e.contribution < 0.0;
            // Neither compares the two values: no similarity to show.
            let matched = if e.rule == "one_sided" || e.rule == "common_name" {
                "—".to_owned()
            } else {
                score_text(e.similarity)
            };
            view! {
                <tr class=row_class(&e) data-field=e.field.clone()>
                    <th scope="row" data-label="Field">{field_label(&e.field)}</th>
                    <td class="evidence-value" data-label=left_label.clone()>{value_text(&e, &e.left)}</td>
                    <td class="evidence-value" data-label=right_label.clone()>{value_text(&e, &e.right)}</td>
                    <td class="num" data-label="Match">
                        {matched}
                        {against.then(|| view! { <span class="evidence-against">"counts against"</span> })}
                    </td>
                    <td data-label="How compared">{rule_label(&e.rule)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table evidence-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr>
                    <th scope="col">"Field"</th>
                    <th scope="col">{left}</th>
                    <th scope="col">{right}</th>
                    <th scope="col" class="num">"Match"</th>
                    <th scope="col">"How compared"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(rule: &str, similarity: f64, left: &str, right: &str) -> MatchEvidence {
        MatchEvidence {
            field: "email".to_owned(),
            left: left.to_owned(),
            right: right.to_owned(),
            similarity,
            weight: 10.0,
            contribution: if similarity > 0.5 { 5.0 } else { -2.0 },
            rule: rule.to_owned(),
        }
    }

    #[test]
    fn scores_read_as_whole_percentages_never_rounded_up_to_certain() {
        assert_eq!(score_text(0.8501), "85%");
        assert_eq!(score_text(0.999), "99%");
        assert_eq!(score_text(1.0), "100%");
        assert_eq!(score_text(1.7), "100%");
        assert_eq!(score_text(f64::NAN), "0%");
    }

    #[test]
    fn rows_that_differ_or_are_one_sided_stand_out() {
        assert_eq!(row_class(&evidence("exact", 1.0, "a", "a")), "is-same");
        assert_eq!(
            row_class(&evidence("jaro_winkler", 0.98, "a", "b")),
            "is-different"
        );
        assert_eq!(
            row_class(&evidence("one_sided", 0.0, "(given)", "")),
            "is-one-sided"
        );
        let one_sided = evidence("one_sided", 0.0, "(given)", "");
        assert_eq!(value_text(&one_sided, &one_sided.left), "Given");
        assert_eq!(value_text(&one_sided, &one_sided.right), "—");
        let common = evidence("common_name", 0.0, "24 with this name", "24 with this name");
        assert_eq!(row_class(&common), "is-one-sided");
        assert_eq!(value_text(&common, &common.left), "24 with this name");
    }

    #[test]
    fn fields_and_rules_read_as_words() {
        assert_eq!(field_label("tax_id"), "Tax id");
        assert_eq!(field_label("loyalty_number"), "Loyalty number");
        assert_eq!(rule_label("registrable_domain"), "The same domain");
        assert_eq!(rule_label("brand_new_rule"), "Brand new rule");
        assert_eq!(confidence_words("high").0, "High");
    }
}
