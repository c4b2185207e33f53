//! The registry and insurer feeds (card events, certificate→person links, insurer records), read
//! from CSV or JSON files and validated record by record before anything touches the database.
//!
//! Parsing is pure: [`parse`] returns every record or every error (with its line or record
//! number), never a part; [`crate::db::Db::import`] then writes all records in one transaction.
//! Column names are the same in both formats (snake_case); see `docs/feeds.md`.

use std::collections::HashMap;

use chrono::DateTime;
use serde::{Deserialize, Serialize};

use crate::domain::{
    certificate::CertificateId,
    eligibility::{CardEvent, UnknownCardEvent},
};

/// Which feed a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Feed {
    /// The registry's card events: `person_id, event, occurred_at, auth_certificate_revoked`.
    CardEvents,
    /// The registry's certificate→person links: `issuer, serial, person_id`.
    CertificateLinks,
    /// The insurer feed: `person_id, insurer_name` (empty: the insurer has no record).
    InsurerRecords,
}

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}

impl Format {
    /// The format a file name implies (`.csv` or `.json`).
    pub fn of_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// One validated record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A card event.
    CardEvent {
        /// The registry's person id.
        person_id: String,
        /// What happened.
        event: CardEvent,
        /// When, in milliseconds since the epoch.
        occurred_ms: i64,
        /// Whether the user-authentication certificate was revoked with it (⑥).
        auth_certificate_revoked: bool,
    },
    /// A certificate→person link.
    CertificateLink {
        /// `issuer|serial`, as [`crate::domain::certificate::certificate_key`] computes it.
        certificate_key: String,
        /// The registry's person id.
        person_id: String,
    },
    /// An insurer record.
    InsurerRecord {
        /// The registry's person id.
        person_id: String,
        /// The insurer, or `None` when the insurer has no record of the person.
        insurer_name: Option<String>,
        /// The last two characters of the insured person's symbol (記号), when the feed says it.
        symbol_last: Option<String>,
        /// The last two characters of the insured person's number (番号), when the feed says it.
        number_last: Option<String>,
        /// When the insurer's record was last updated (ms), when the feed says it.
        as_of_ms: Option<i64>,
    },
}

/// What is wrong with one record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct RecordError {
    /// `line N` (CSV, counting the header as line 1) or `record N` (JSON, from 1).
    pub place: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CardEventRow {
    person_id: String,
    event: String,
    occurred_at: String,
    #[serde(default)]
    auth_certificate_revoked: Option<BoolText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkRow {
    issuer: String,
    serial: String,
    person_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InsurerRow {
    person_id: String,
    #[serde(default)]
    insurer_name: Option<String>,
    #[serde(default)]
    symbol: Option<String>,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
}

/// How many trailing characters of the insured person's symbol and number are kept: what the
/// status screen shows behind the mask; the rest is never stored.
pub const KEPT_CHARACTERS: usize = 2;

/// The last [`KEPT_CHARACTERS`] of a symbol or number of 1–20 letters and digits (full-width
/// digits as written on insurance cards are read as ASCII), and never the whole of a short one;
/// `None` when empty (or when one character is all there is).
fn last_characters(name: &str, text: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let chars: Vec<char> = text
        .chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            other => other,
        })
        .collect();
    if chars.len() > 20 || !chars.iter().all(|c| c.is_alphanumeric() || *c == '-') {
        return Err(format!("{name} must be 1–20 letters or digits"));
    }
    // A short one keeps one character fewer than it has, so that none is kept whole.
    let kept = KEPT_CHARACTERS.min(chars.len() - 1);
    Ok((kept > 0).then(|| chars[chars.len() - kept..].iter().collect()))
}

/// A date (`YYYY-MM-DD`, JST) or an RFC 3339 time, in ms.
fn as_of(text: Option<&str>) -> Result<Option<i64>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(time.timestamp_millis()));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| {
            t.and_local_timezone(chrono::FixedOffset::east_opt(9 * 3600)?)
                .single()
        })
        .map(|t| Some(t.timestamp_millis()))
        .ok_or_else(|| format!("as_of must be a date (2021-03-01) or RFC 3339 time: {text:?}"))
}

/// A boolean written as `true`/`false`/`1`/`0` (CSV) or a JSON boolean.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum BoolText {
    Bool(bool),
    Text(String),
}

impl BoolText {
    fn value(&self) -> Result<bool, String> {
        match self {
            Self::Bool(value) => Ok(*value),
            Self::Text(text) => match text.trim() {
                "" | "0" | "false" | "FALSE" | "False" => Ok(false),
                "1" | "true" | "TRUE" | "True" => Ok(true),
                other => Err(format!(
                    "auth_certificate_revoked must be true or false, not {other:?}"
                )),
            },
        }
    }
}

/// Longest person id accepted.
const MAX_PERSON_ID: usize = 64;

fn person_id(text: &str) -> Result<String, String> {
    let id = text.trim();
    if id.is_empty() {
        return Err("person_id is empty".into());
    }
    if id.len() > MAX_PERSON_ID
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "person_id must be 1–{MAX_PERSON_ID} letters, digits, '-' or '_', not {id:?}"
        ));
    }
    Ok(id.to_owned())
}

fn card_event(row: CardEventRow) -> Result<Record, String> {
    let event: CardEvent = row
        .event
        .trim()
        .parse()
        .map_err(|e: UnknownCardEvent| e.to_string())?;
    let occurred = DateTime::parse_from_rfc3339(row.occurred_at.trim()).map_err(|e| {
        format!(
            "occurred_at must be RFC 3339 with an offset, e.g. 2021-03-01T09:00:00+09:00 ({e}): {:?}",
            row.occurred_at
        )
    })?;
    let auth_certificate_revoked = match &row.auth_certificate_revoked {
        Some(flag) => flag.value()?,
        None => false,
    };
    if auth_certificate_revoked && event != CardEvent::SignCertificateRevoked {
        return Err(
            "auth_certificate_revoked is only meaningful with sign_certificate_revoked".into(),
        );
    }
    Ok(Record::CardEvent {
        person_id: person_id(&row.person_id)?,
        event,
        occurred_ms: occurred.timestamp_millis(),
        auth_certificate_revoked,
    })
}

fn link(row: LinkRow) -> Result<Record, String> {
    let id = CertificateId::parse(&row.issuer, &row.serial).map_err(|e| e.to_string())?;
    Ok(Record::CertificateLink {
        certificate_key: id.key(),
        person_id: person_id(&row.person_id)?,
    })
}

fn insurer(row: InsurerRow) -> Result<Record, String> {
    let name = row
        .insurer_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 200) {
        return Err("insurer_name is longer than 200 characters".into());
    }
    let symbol_last = last_characters("symbol", row.symbol.as_deref())?;
    let number_last = last_characters("number", row.number.as_deref())?;
    let as_of_ms = as_of(row.as_of.as_deref())?;
    if name.is_none() && (symbol_last.is_some() || number_last.is_some()) {
        return Err("symbol and number need the insurer_name they belong to".into());
    }
    Ok(Record::InsurerRecord {
        person_id: person_id(&row.person_id)?,
        insurer_name: name.map(str::to_owned),
        symbol_last,
        number_last,
        as_of_ms,
    })
}

fn record<'de, D: serde::Deserializer<'de>>(feed: Feed, row: D) -> Result<Record, String>
where
    D::Error: std::fmt::Display,
{
    let clean = |e: D::Error| e.to_string();
    match feed {
        Feed::CardEvents => card_event(CardEventRow::deserialize(row).map_err(clean)?),
        Feed::CertificateLinks => link(LinkRow::deserialize(row).map_err(clean)?),
        Feed::InsurerRecords => insurer(InsurerRow::deserialize(row).map_err(clean)?),
    }
}

/// One dispute as the insurers' export writes it (`myna-server export disputes`).
#[derive(Debug, Serialize)]
struct DisputeOut<'a> {
    receipt_number: &'a str,
    person_id: &'a str,
    insurer_name: &'a str,
    symbol_last: &'a str,
    number_last: &'a str,
    as_of: String,
    reported_at: String,
}

/// The disputes in `format`: CSV with a header line (the columns of the insurer feed where they
/// are the same: `person_id`, `insurer_name`), or a JSON array; times in JST, the record's date
/// as `YYYY-MM-DD`, absent values empty.
///
/// # Errors
/// When the CSV writer fails (it writes to memory: only on a bug).
pub fn export_disputes(
    rows: &[crate::db::DisputeRow],
    format: Format,
) -> Result<String, std::io::Error> {
    let out: Vec<DisputeOut<'_>> = rows
        .iter()
        .map(|row| DisputeOut {
            receipt_number: &row.receipt_number,
            person_id: &row.person_id,
            insurer_name: row.insurer_name.as_deref().unwrap_or(""),
            symbol_last: row.symbol_last.as_deref().unwrap_or(""),
            number_last: row.number_last.as_deref().unwrap_or(""),
            as_of: row
                .as_of_ms
                .map(|ms| crate::rfc3339(ms)[..10].to_owned())
                .unwrap_or_default(),
            reported_at: crate::rfc3339(row.reported_ms),
        })
        .collect();
    write_rows(
        &out,
        &[
            "receipt_number",
            "person_id",
            "insurer_name",
            "symbol_last",
            "number_last",
            "as_of",
            "reported_at",
        ],
        format,
    )
}

/// One cancellation or eligibility certificate's request as the insurers' export writes it
/// (`myna-server export requests`).
#[derive(Debug, Serialize)]
struct RequestOut<'a> {
    receipt_number: &'a str,
    person_id: &'a str,
    kind: &'a str,
    certificate: bool,
    insurer_name: &'a str,
    symbol_last: &'a str,
    number_last: &'a str,
    application_receipt: &'a str,
    received_at: String,
}

/// The columns of [`export_requests`], in order.
const REQUEST_COLUMNS: [&str; 9] = [
    "receipt_number",
    "person_id",
    "kind",
    "certificate",
    "insurer_name",
    "symbol_last",
    "number_last",
    "application_receipt",
    "received_at",
];

/// The cancellations (`kind` `cancellation`: the insurer stops treating the card as the
/// insurance card; `certificate` `true` when the person also asked for the eligibility
/// certificate) and the certificate requests on their own (`kind` `certificate`) in `format`,
/// as [`export_disputes`] writes: CSV with a header line or a JSON array, times in JST, absent
/// values empty.
///
/// # Errors
/// When the CSV writer fails (it writes to memory: only on a bug).
pub fn export_requests(
    rows: &[crate::db::InsuranceRequestRow],
    format: Format,
) -> Result<String, std::io::Error> {
    let out: Vec<RequestOut<'_>> = rows
        .iter()
        .map(|row| RequestOut {
            receipt_number: &row.receipt_number,
            person_id: &row.person_id,
            kind: row.kind.as_str(),
            certificate: row.certificate,
            insurer_name: row.insurer_name.as_deref().unwrap_or(""),
            symbol_last: row.symbol_last.as_deref().unwrap_or(""),
            number_last: row.number_last.as_deref().unwrap_or(""),
            application_receipt: row.application_receipt.as_deref().unwrap_or(""),
            received_at: crate::rfc3339(row.made_ms),
        })
        .collect();
    write_rows(&out, &REQUEST_COLUMNS, format)
}

/// `rows` as CSV (a header line of `columns`, also when there are no rows) or as a JSON array.
fn write_rows<T: Serialize>(
    rows: &[T],
    columns: &[&str],
    format: Format,
) -> Result<String, std::io::Error> {
    match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(rows).map_err(std::io::Error::other)?;
            text.push('\n');
            Ok(text)
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            if rows.is_empty() {
                writer
                    .write_record(columns)
                    .map_err(std::io::Error::other)?;
            }
            for row in rows {
                writer.serialize(row).map_err(std::io::Error::other)?;
            }
            let bytes = writer.into_inner().map_err(|e| e.into_error())?;
            String::from_utf8(bytes).map_err(std::io::Error::other)
        }
    }
}

/// Most errors reported for one file; the count of the rest is added.
pub const MAX_ERRORS: usize = 100;

/// Parses a whole file: every record, or every error (in file order).
///
/// # Errors
/// Every [`RecordError`] (its place and why), in file order, when any record is not valid: a
/// feed is imported whole or not at all.
pub fn parse(feed: Feed, format: Format, text: &str) -> Result<Vec<Record>, Vec<RecordError>> {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let mut push = |place: String, result: Result<Record, String>| match result {
        Ok(record) => records.push((place, record)),
        Err(message) => errors.push(RecordError { place, message }),
    };
    match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(text.as_bytes());
            let headers = match reader.headers() {
                Ok(headers) => headers.clone(),
                Err(e) => {
                    return Err(vec![RecordError {
                        place: "line 1".into(),
                        message: format!("no header line: {e}"),
                    }])
                }
            };
            for row in reader.records() {
                match row {
                    Ok(row) => {
                        let line = row.position().map_or(0, |p| p.line());
                        let fields: HashMap<&str, &str> = headers.iter().zip(row.iter()).collect();
                        let value = serde_json::Value::Object(
                            fields
                                .iter()
                                .map(|(k, v)| {
                                    ((*k).to_owned(), serde_json::Value::String((*v).into()))
                                })
                                .collect(),
                        );
                        push(format!("line {line}"), record(feed, value));
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        push(format!("line {line}"), Err(e.to_string()));
                    }
                }
            }
        }
        Format::Json => {
            let rows: Vec<serde_json::Value> = match serde_json::from_str(text) {
                Ok(rows) => rows,
                Err(e) => {
                    return Err(vec![RecordError {
                        place: format!("line {}", e.line()),
                        message: format!("the file must be a JSON array of objects: {e}"),
                    }])
                }
            };
            for (i, row) in rows.into_iter().enumerate() {
                let result = if row.is_object() {
                    record(feed, row)
                } else {
                    Err("each record must be a JSON object".into())
                };
                push(format!("record {}", i + 1), result);
            }
        }
    }
    check_duplicates(&records, &mut errors);
    if errors.is_empty() {
        Ok(records.into_iter().map(|(_, record)| record).collect())
    } else {
        Err(errors)
    }
}

/// A certificate linked to two people, or one person given two insurer records, in one file is an
/// error: which one would win is not for the importer to guess.
fn check_duplicates(records: &[(String, Record)], errors: &mut Vec<RecordError>) {
    let mut seen: HashMap<&str, (&str, &str)> = HashMap::new();
    for (place, record) in records {
        let (key, value) = match record {
            Record::CertificateLink {
                certificate_key,
                person_id,
            } => (certificate_key.as_str(), person_id.as_str()),
            Record::InsurerRecord {
                person_id,
                insurer_name,
                ..
            } => (person_id.as_str(), insurer_name.as_deref().unwrap_or("")),
            Record::CardEvent { .. } => continue,
        };
        if let Some((first_place, first_value)) = seen.get(key) {
            if *first_value != value {
                errors.push(RecordError {
                    place: place.clone(),
                    message: format!("contradicts {first_place} for the same key"),
                });
            }
        } else {
            seen.insert(key, (place, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_card_events_parse() {
        let text = "person_id,event,occurred_at,auth_certificate_revoked\n\
                    p-1,card_issued,2021-03-01T09:00:00+09:00,\n\
                    p-2,sign_certificate_revoked,2021-03-01T09:00:00+09:00,true\n";
        let records = parse(Feed::CardEvents, Format::Csv, text).expect("valid");
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[1],
            Record::CardEvent {
                person_id: "p-2".into(),
                event: CardEvent::SignCertificateRevoked,
                occurred_ms: 1_614_556_800_000,
                auth_certificate_revoked: true,
            }
        );
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let text = "person_id,event,occurred_at\n\
                    p-1,card_issued,2021-03-01T09:00:00+09:00\n\
                    p 2,card_issued,2021-03-01T09:00:00+09:00\n\
                    p-3,lost_it,2021-03-01T09:00:00+09:00\n\
                    p-4,card_issued,yesterday\n";
        let errors = parse(Feed::CardEvents, Format::Csv, text).expect_err("invalid");
        let places: Vec<&str> = errors.iter().map(|e| e.place.as_str()).collect();
        assert_eq!(places, ["line 3", "line 4", "line 5"]);
        assert!(errors[0].message.contains("person_id"), "{errors:?}");
        assert!(
            errors[1].message.contains("event must be one of"),
            "{errors:?}"
        );
        assert!(errors[2].message.contains("RFC 3339"), "{errors:?}");
    }

    #[test]
    fn unknown_and_missing_columns_are_errors() {
        let errors = parse(Feed::InsurerRecords, Format::Csv, "person_id,name\np-1,X\n")
            .expect_err("unknown column");
        assert!(errors[0].message.contains("unknown field"), "{errors:?}");
        let errors = parse(
            Feed::CertificateLinks,
            Format::Csv,
            "issuer,person_id\nCN=x,p-1\n",
        )
        .expect_err("missing column");
        assert!(errors[0].message.contains("serial"), "{errors:?}");
    }

    #[test]
    fn json_links_normalize_the_serial() {
        let text = r#"[{"issuer":"CN=Test CA","serial":"00:1A:2b","person_id":"p-1"}]"#;
        let records = parse(Feed::CertificateLinks, Format::Json, text).expect("valid");
        assert_eq!(
            records,
            [Record::CertificateLink {
                certificate_key: "CN=Test CA|1a2b".into(),
                person_id: "p-1".into()
            }]
        );
        let errors = parse(
            Feed::CertificateLinks,
            Format::Json,
            r#"[{"issuer":"CN=x"}, 3]"#,
        )
        .expect_err("invalid");
        assert_eq!(errors[0].place, "record 1");
        assert_eq!(errors[1].place, "record 2");
    }

    #[test]
    fn contradictory_records_in_one_file_are_refused() {
        let text = "person_id,insurer_name\np-1,A\np-1,B\np-2,\np-2,\n";
        let errors = parse(Feed::InsurerRecords, Format::Csv, text).expect_err("contradiction");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].place, "line 3");
    }

    #[test]
    fn an_empty_insurer_name_means_no_record() {
        let records = parse(
            Feed::InsurerRecords,
            Format::Csv,
            "person_id,insurer_name\np-1,\n",
        )
        .expect("valid");
        assert_eq!(
            records,
            [Record::InsurerRecord {
                person_id: "p-1".into(),
                insurer_name: None,
                symbol_last: None,
                number_last: None,
                as_of_ms: None,
            }]
        );
    }

    #[test]
    fn an_insurer_record_keeps_only_the_last_characters_of_symbol_and_number() {
        let records = parse(
            Feed::InsurerRecords,
            Format::Csv,
            "person_id,insurer_name,symbol,number,as_of\np-1,全国健康保険協会,１２３４５,678,2026-11-02\n",
        )
        .expect("valid");
        assert_eq!(
            records,
            [Record::InsurerRecord {
                person_id: "p-1".into(),
                insurer_name: Some("全国健康保険協会".into()),
                symbol_last: Some("45".into()),
                number_last: Some("78".into()),
                // 2026-11-02 00:00 JST.
                as_of_ms: Some(1_793_545_200_000),
            }]
        );
        let errors = parse(
            Feed::InsurerRecords,
            Format::Csv,
            "person_id,insurer_name,symbol,number,as_of\np-1,,123,4,\np-2,X,1,2,tomorrow\np-3,X,1;2,3,\n",
        )
        .expect_err("invalid");
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages[0].starts_with("line 2: symbol and number need"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("line 3: as_of must be"),
            "{messages:?}"
        );
        assert!(
            messages[2].starts_with("line 4: symbol must be"),
            "{messages:?}"
        );
        // A short symbol or number is never kept whole.
        let records = parse(
            Feed::InsurerRecords,
            Format::Csv,
            "person_id,insurer_name,symbol,number\np-1,X,7,12\n",
        )
        .expect("valid");
        let Record::InsurerRecord {
            symbol_last,
            number_last,
            ..
        } = &records[0]
        else {
            panic!("not an insurer record");
        };
        assert_eq!(
            (symbol_last.as_deref(), number_last.as_deref()),
            (None, Some("2"))
        );
    }
}
