//! The CSV import pipeline on the server: files on disk ([`file`]), rows into customers
//! ([`rows`]), and the background worker that validates, imports and reverts jobs
//! ([`worker`]). The HTTP endpoints are in `routes::import`; the job table in the store.

pub mod file;
pub mod rows;
pub mod worker;

use tenure_api_types::{
    ImportColumn, ImportColumnMapping, ImportCounts, ImportJobView, ImportMappingInput,
    ImportMatch, ImportProgress, ImportTransformInput, ImportValidation,
};
use tenure_domain::error::FieldError;
use tenure_domain::import::plan::{
    ColumnTransform, LetterCase, MappingSpec, MatchBy, OnMatch, Plan,
};
use tenure_store::import::{ImportJobRecord, status};

/// How long after its end an import can be reverted.
pub const REVERT_WINDOW_DAYS: i64 = 7;

/// The user's mapping body checked against the file's headers: the plan, or every problem at
/// once (bad values in the body and names the file or the targets do not know).
pub fn plan_for(headers: &[String], input: &ImportMappingInput) -> Result<Plan, Vec<FieldError>> {
    let (spec, mut errors) = spec(input);
    match Plan::build(headers, &spec) {
        Ok(plan) if errors.is_empty() => Ok(plan),
        Ok(_) => Err(errors),
        Err(mut more) => {
            errors.append(&mut more);
            Err(errors)
        }
    }
}

/// Problems in a mapping saved for later, checked without a file: bad transform values, unknown
/// templates and targets. What only a file can answer (missing headers, an unfed match key or
/// name) waits for `PUT /imports/{id}/mapping`.
pub fn check_saved_mapping(input: &ImportMappingInput) -> Vec<FieldError> {
    let mut headers: Vec<String> = input.columns.keys().cloned().collect();
    headers.extend(input.transforms.keys().cloned());
    match plan_for(&headers, input) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .filter(|e| e.field != "match.by" && e.field != "columns")
            .collect(),
    }
}

/// The user's mapping body as the domain's spec, leaving out (and reporting) bad values.
fn spec(input: &ImportMappingInput) -> (MappingSpec, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut transforms = Vec::new();
    for (header, list) in &input.transforms {
        let mut parsed = Vec::new();
        for (i, t) in list.iter().enumerate() {
            match t {
                ImportTransformInput::Case { to } => match LetterCase::parse(to) {
                    Ok(to) => parsed.push(ColumnTransform::Case { to }),
                    Err(e) => errors.push(FieldError::new(
                        format!("transforms.{header}[{i}].to"),
                        e.message,
                    )),
                },
                ImportTransformInput::Date { format } => parsed.push(ColumnTransform::Date {
                    format: format.clone(),
                }),
                ImportTransformInput::MapValues { values } => {
                    parsed.push(ColumnTransform::MapValues {
                        values: values.clone(),
                    })
                }
            }
        }
        transforms.push((header.clone(), parsed));
    }
    let mut defaults = Vec::new();
    for (target, value) in &input.defaults {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => {
                errors.push(FieldError::new(
                    format!("defaults.{target}"),
                    "must be a string, number or boolean",
                ));
                continue;
            }
        };
        defaults.push((target.clone(), text));
    }
    let policy = input.match_policy.clone().unwrap_or_default();
    let by = match policy.by.as_deref() {
        Some(raw) => match MatchBy::parse(raw) {
            Ok(by) => Some(by),
            Err(e) => {
                errors.push(FieldError::new("match.by", e.message));
                None
            }
        },
        None => None,
    };
    let on_match = match policy.on_match.as_deref() {
        Some(raw) => match OnMatch::parse(raw) {
            Ok(o) => Some(o),
            Err(e) => {
                errors.push(FieldError::new("match.on_match", e.message));
                None
            }
        },
        None => None,
    };
    let spec = MappingSpec {
        template: input.template.clone(),
        columns: input
            .columns
            .iter()
            .map(|(h, t)| (h.clone(), t.clone()))
            .collect(),
        transforms,
        defaults,
        by,
        on_match,
        source: policy.source,
    };
    (spec, errors)
}

/// The job's column names.
pub fn headers(job: &ImportJobRecord) -> Vec<String> {
    serde_json::from_value(job.headers.clone()).unwrap_or_default()
}

/// The plan in force: the saved mapping's, or the auto-mapping of the headers alone.
pub fn plan_of(job: &ImportJobRecord) -> Result<Plan, Vec<FieldError>> {
    let input: ImportMappingInput = job
        .mapping
        .clone()
        .and_then(|m| serde_json::from_value(m).ok())
        .unwrap_or_default();
    plan_for(&headers(job), &input)
}

/// The wire view of a job.
pub fn job_view(job: &ImportJobRecord) -> ImportJobView {
    let headers = headers(job);
    let sample: serde_json::Value = job.sample.clone();
    let rows: Vec<Vec<String>> = sample
        .get("rows")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let filled: Vec<u64> = sample
        .get("filled")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let samples: Vec<Vec<String>> = sample
        .get("samples")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    // The plan may fail to build for a mapping saved before a custom field was removed, say;
    // the columns then show no mapping rather than failing the read.
    let plan = plan_of(job)
        .ok()
        .or_else(|| Plan::build(&headers, &MappingSpec::default()).ok());
    let user_chosen = job.mapping.is_some();
    let columns = headers
        .iter()
        .enumerate()
        .map(|(i, header)| ImportColumn {
            index: u32::try_from(i).unwrap_or(u32::MAX),
            header: header.clone(),
            samples: samples.get(i).cloned().unwrap_or_default(),
            filled: filled.get(i).copied().unwrap_or(0),
            mapping: plan.as_ref().and_then(|p| {
                p.columns.iter().find(|c| c.index == i).map(|c| {
                    let mut transforms: Vec<String> =
                        c.template_transform.iter().map(|t| t.describe()).collect();
                    transforms.extend(c.transforms.iter().map(describe));
                    ImportColumnMapping {
                        target: c.target.to_owned(),
                        confidence: match c.confidence {
                            Some(conf) => conf.as_str().to_owned(),
                            None => "user".to_owned(),
                        },
                        transforms,
                    }
                })
            }),
        })
        .collect();
    let total = u64::try_from(job.total_rows).unwrap_or(0);
    let done = u64::try_from(job.next_row).unwrap_or(0).min(total);
    let finished = matches!(
        job.status.as_str(),
        status::COMPLETED | status::VALIDATED | status::REVERTED
    );
    let rate = job.rows_per_second.filter(|r| *r > 0.0);
    let validation: Option<ImportValidation> = job
        .validation
        .clone()
        .and_then(|v| serde_json::from_value(v).ok());
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let running = matches!(job.status.as_str(), status::VALIDATING | status::RUNNING);
    let revertible_until = match job.status.as_str() {
        status::COMPLETED | status::CANCELLED | status::FAILED if job.started_at.is_some() => job
            .finished_at
            .map(|at| at + chrono::Duration::days(REVERT_WINDOW_DAYS)),
        _ => None,
    };
    let has_errors =
        job.failed_count > 0 || validation.as_ref().is_some_and(|v| v.counts.failed > 0);
    ImportJobView {
        id: job.id,
        status: job.status.clone(),
        file_name: job.file_name.clone(),
        file_size: u64::try_from(job.file_size).unwrap_or(0),
        encoding: job.encoding.clone(),
        delimiter: job.delimiter.clone(),
        has_header: job.has_header,
        total_rows: total,
        columns,
        sample: rows,
        template: job.template.clone(),
        mapping: job.mapping.clone(),
        match_policy: plan.filter(|_| user_chosen).map(|p| ImportMatch {
            by: p.policy.by.as_str().to_owned(),
            on_match: p.policy.on_match.as_str().to_owned(),
            source: p.policy.source.clone(),
        }),
        counts: ImportCounts {
            created: count(job.created_count),
            updated: count(job.updated_count),
            skipped: count(job.skipped_count),
            failed: count(job.failed_count),
        },
        progress: ImportProgress {
            rows_done: if finished && job.status != status::VALIDATED {
                total
            } else {
                done
            },
            total_rows: total,
            percent: if finished {
                100.0
            } else if total == 0 {
                0.0
            } else {
                ((done as f64 / total as f64) * 1000.0).round() / 10.0
            },
            rows_per_second: rate.map(|r| r.round()),
            eta_seconds: rate
                .filter(|_| running)
                .map(|r| ((total - done) as f64 / r).ceil() as u64),
        },
        validation,
        cancel_requested: job.cancel_requested,
        message: job.message.clone(),
        errors_url: has_errors.then(|| format!("/api/v1/imports/{}/errors.csv", job.id)),
        created_by: job.created_by_label.clone(),
        created_at: job.created_at,
        started_at: job.started_at,
        finished_at: job.finished_at,
        reverted_at: job.reverted_at,
        revertible_until,
    }
}

fn describe(t: &ColumnTransform) -> String {
    match t {
        ColumnTransform::Case { to } => format!("letter case: {}", to.as_str()),
        ColumnTransform::Date { format } => format!("date read as {format}"),
        ColumnTransform::MapValues { values } => format!("{} values mapped", values.len()),
    }
}
