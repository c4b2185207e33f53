//! Health-insurance registration (F1) and its status (F2).

use axum::extract::State;
use chrono::{DateTime, Utc};

use crate::{
    domain::{
        eligibility::{self, CardEvent},
        schedule,
    },
    error::ApiError,
    handlers::ApiJson,
    session::{Authenticated, AuthenticatedCsrf},
    AppState,
};

use protocol::api::{
    ApplicationState, CertificateRequest, DisputeReceipt, HistoryEntry, HistoryEvent,
    InsuranceApplication as Application, InsuranceCancellation, InsuranceStatus as Status,
    InsurerLink, LinkDispute, Received, Registration, RequestReceipt,
};

use crate::db::{
    DisputeRow, InsuranceRequestRow, InsuranceStatusRow, LinkRow, RequestKind, SignedWrite,
};

/// The registration's state from the application's row: frozen by a dispute, completed, the
/// insurer without a record, or waiting for the insurer's record.
pub fn registration_of(row: &InsuranceStatusRow) -> Registration {
    match (&row.link, row.insurer) {
        (Some(link), _) if link.frozen_ms.is_some() => Registration::Frozen,
        (_, Some(true)) => Registration::Completed,
        (_, Some(false)) => Registration::ContactInsurer,
        (_, None) => Registration::Preparing,
    }
}

/// A history entry at `at_ms`, kept with its time in ms for sorting (the entry's text is to the
/// second only).
fn entry(at_ms: i64, event: HistoryEvent, receipt_number: Option<String>) -> (i64, HistoryEntry) {
    (
        at_ms,
        HistoryEntry {
            at: crate::rfc3339(at_ms),
            event,
            receipt_number,
        },
    )
}

/// The history oldest first, by the ms of each entry; entries of one instant in the order
/// written (a stable sort).
fn sorted(mut history: Vec<(i64, HistoryEntry)>) -> Vec<HistoryEntry> {
    history.sort_by_key(|(at_ms, _)| *at_ms);
    history.into_iter().map(|(_, entry)| entry).collect()
}

async fn status_of(state: &AppState, person: &str) -> Result<Status, ApiError> {
    let requests = state.db.insurance_requests(0, Some(person)).await?;
    let mut history = Vec::new();
    // Each cancelled application (its receipt kept by the cancellation), the cancellations and
    // the certificate requests.
    for request in &requests {
        if let Some(applied_ms) = request.applied_ms {
            history.push(entry(
                applied_ms,
                HistoryEvent::Applied,
                request.application_receipt.clone(),
            ));
        }
        if request.kind == RequestKind::Cancellation {
            history.push(entry(
                request.made_ms,
                HistoryEvent::Cancelled,
                Some(request.receipt_number.clone()),
            ));
        }
        if request.certificate {
            history.push(entry(
                request.made_ms,
                HistoryEvent::CertificateRequested,
                Some(request.receipt_number.clone()),
            ));
        }
    }
    for dispute in state.db.disputes(0, Some(person)).await? {
        history.push(entry(
            dispute.reported_ms,
            HistoryEvent::Disputed,
            Some(dispute.receipt_number),
        ));
    }
    let Some(row) = state.db.insurance_status(person).await? else {
        let cancelled = requests
            .iter()
            .any(|request| request.kind == RequestKind::Cancellation);
        // The portal-user registration is not the insurance's: it outlives a cancellation, and
        // F6 may have made it alone.
        let portal_user = state.db.portal_user_receipt(person).await?.is_some();
        return Ok(Status {
            application: if cancelled {
                ApplicationState::Cancelled
            } else {
                ApplicationState::NotApplied
            },
            applied_at: None,
            registration: None,
            expected_by: None,
            portal_user: portal_user.then_some(Received::Received),
            link: None,
            history: sorted(history),
        });
    };
    let registration = registration_of(&row);
    history.push(entry(
        row.applied_ms,
        HistoryEvent::Applied,
        row.receipt_number.clone(),
    ));
    if let Some(link) = &row.link {
        // A record that was there before a new application links it on arrival.
        history.push(entry(
            link.linked_ms.max(row.applied_ms),
            HistoryEvent::Linked,
            None,
        ));
    }
    let history = sorted(history);
    Ok(Status {
        application: ApplicationState::Received,
        applied_at: Some(crate::rfc3339(row.applied_ms)),
        registration: Some(registration),
        expected_by: (registration == Registration::Preparing).then(|| {
            schedule::expected_by(
                row.applied_ms,
                state.now_ms(),
                state.settings.registration_expected_by,
            )
            .to_string()
        }),
        portal_user: row.portal_user.then_some(Received::Received),
        link: row.link.as_ref().map(shown_link),
        history,
    })
}

/// A masked symbol or number: a full-width asterisk for each of two hidden characters, then the
/// kept ones (the feed keeps no more, `feeds::KEPT_CHARACTERS`).
fn masked(last: &str) -> String {
    format!("＊＊{last}")
}

/// The link as the status screen shows it.
fn shown_link(link: &LinkRow) -> InsurerLink {
    InsurerLink {
        insurer_name: link.insurer_name.clone(),
        symbol: link.symbol_last.as_deref().map(masked),
        number: link.number_last.as_deref().map(masked),
        as_of: link.as_of_ms.map(|ms| crate::rfc3339(ms)[..10].to_owned()),
    }
}

/// `POST /api/v1/insurance/link/dispute`: 「これは私ではない」. Freezes the person's link at once
/// (the registration shows as frozen, and the insurer's export carries the report) and answers
/// the receipt. The card signs exactly the link disputed (`crate::writes`); a link that changed
/// since the page showed it is refused with `INVALID_REQUEST`, and nothing is written.
#[utoipa::path(post, path = "/insurance/link/dispute", tag = "insurance", request_body = LinkDispute,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 200, body = DisputeReceipt), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn dispute(
    State(state): State<AppState>,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
    ApiJson(request): ApiJson<LinkDispute>,
) -> Result<ApiJson<DisputeReceipt>, ApiError> {
    let person = auth.person()?.to_owned();
    let row = state.db.insurance_status(&person).await?;
    let Some(link) = row.as_ref().and_then(|row| row.link.as_ref()) else {
        return Err(ApiError::NotFound("no link to dispute"));
    };
    let shown = shown_link(link);
    if shown.insurer_name != request.insurer_name
        || shown.symbol != request.symbol
        || shown.number != request.number
        || shown.as_of != request.as_of
    {
        return Err(ApiError::InvalidRequest(
            "the link changed since it was shown: read it again".into(),
        ));
    }
    let mut write = crate::writes::begin(
        &state,
        &auth,
        protocol::signing::WritePurpose::LinkDispute,
        &crate::writes::dispute_content(&request),
        &person,
    )
    .await?;
    let now = state.now_ms();
    let dispute = DisputeRow {
        receipt_number: crate::domain::mynapoint::new_receipt_number(),
        person_id: person.clone(),
        insurer_name: Some(link.insurer_name.clone()),
        symbol_last: link.symbol_last.clone(),
        number_last: link.number_last.clone(),
        as_of_ms: link.as_of_ms,
        reported_ms: now,
    };
    if !write.dispute_link(&dispute).await? {
        write.abandon().await?;
        return Err(ApiError::NotFound("no link to dispute"));
    }
    write.commit().await?;
    tracing::info!("link disputed");
    Ok(ApiJson(DisputeReceipt {
        receipt_number: dispute.receipt_number,
        reported_at: crate::rfc3339(now),
    }))
}

/// `POST /api/v1/insurance/cancellation`: cancels the health-insurance use registration online
/// (the official one is on paper through the insurer). The card signs exactly this request
/// (`crate::writes`); the application is removed (a new one registers again), the cancellation
/// kept with its receipt for the status screen, やりとり履歴 and the insurer's export
/// (`myna-server export requests`), with the eligibility certificate's request when asked.
/// Nothing to cancel: `NOT_FOUND`, and nothing is written.
#[utoipa::path(post, path = "/insurance/cancellation", tag = "insurance", request_body = InsuranceCancellation,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 200, body = RequestReceipt), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn cancel(
    State(state): State<AppState>,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
    ApiJson(request): ApiJson<InsuranceCancellation>,
) -> Result<ApiJson<RequestReceipt>, ApiError> {
    let person = auth.person()?.to_owned();
    // The registration the page showed (by its receipt), or none to cancel: refused before the
    // signature is claimed, so that the page can read the status again.
    let shown = state.db.insurance_status(&person).await?;
    if shown.as_ref().map(|row| row.receipt_number.as_deref())
        != Some(request.application_receipt.as_deref())
    {
        return Err(ApiError::NotRegistered);
    }
    let mut write = crate::writes::begin(
        &state,
        &auth,
        protocol::signing::WritePurpose::InsuranceCancellation,
        &crate::writes::cancellation_content(&request),
        &person,
    )
    .await?;
    let receipt_number = crate::domain::mynapoint::new_receipt_number();
    let Some(row) = write
        .cancel_insurance(
            &person,
            request.application_receipt.as_deref(),
            &receipt_number,
            request.request_certificate,
            state.now_ms(),
        )
        .await?
    else {
        // Another tab's cancellation (or application) came first: this signature writes
        // nothing and stays unused.
        write.abandon().await?;
        return Err(ApiError::NotRegistered);
    };
    write.commit().await?;
    tracing::info!(certificate = row.certificate, "registration cancelled");
    Ok(ApiJson(RequestReceipt {
        receipt_number: row.receipt_number,
        received_at: crate::rfc3339(row.made_ms),
        certificate: row.certificate,
    }))
}

/// `POST /api/v1/insurance/certificate`: asks the insurer for the eligibility certificate
/// (資格確認書), which people without the registration use instead of the insurance card. The
/// card signs the request (`crate::writes`). Registered: `STILL_REGISTERED` (the cancellation
/// asks for it). Asked already of the same insurer since the last cancellation (with it, or on
/// its own, also by another tab at the same time): that receipt again, nothing written twice.
#[utoipa::path(post, path = "/insurance/certificate", tag = "insurance", request_body = CertificateRequest,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 200, body = RequestReceipt), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn request_certificate(
    State(state): State<AppState>,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
    ApiJson(_request): ApiJson<CertificateRequest>,
) -> Result<ApiJson<RequestReceipt>, ApiError> {
    let person = auth.person()?.to_owned();
    if state.db.insurance_status(&person).await?.is_some() {
        return Err(ApiError::StillRegistered);
    }
    let link = state.db.insurer_link(&person).await?.unwrap_or_default();
    let requests = state.db.insurance_requests(0, Some(&person)).await?;
    let last_cancellation = requests
        .iter()
        .rposition(|request| request.kind == RequestKind::Cancellation);
    // What stands: a request of this period (since the last cancellation, that one included)
    // that asked this insurer for the certificate. A different insurer since is asked anew.
    let standing = requests[last_cancellation.unwrap_or(0)..]
        .iter()
        .rev()
        .find(|request| request.certificate && request.insurer_name == link.insurer_name)
        .cloned();
    let mut write = crate::writes::begin(
        &state,
        &auth,
        protocol::signing::WritePurpose::CertificateRequest,
        &crate::writes::certificate_content(),
        &person,
    )
    .await?;
    let row = match standing {
        Some(asked) => {
            // Nothing to write: the signature stays unused.
            write.abandon().await?;
            asked
        }
        None => {
            // One per person, period and insurer, also for two tabs at once.
            let key = format!(
                "{person}|{}|{}",
                last_cancellation.map_or("-", |i| requests[i].receipt_number.as_str()),
                link.insurer_name.as_deref().unwrap_or("")
            );
            let request = InsuranceRequestRow {
                receipt_number: crate::domain::mynapoint::new_receipt_number(),
                person_id: person.clone(),
                kind: RequestKind::Certificate,
                certificate: true,
                insurer_name: link.insurer_name,
                symbol_last: link.symbol_last,
                number_last: link.number_last,
                application_receipt: None,
                applied_ms: None,
                made_ms: state.now_ms(),
            };
            if write.request_certificate(&request, &key).await? {
                write.commit().await?;
                request
            } else {
                // Another tab's request under the same key came first: that one stands.
                write.abandon().await?;
                state
                    .db
                    .request_by_key(&key)
                    .await?
                    .ok_or(ApiError::Internal("a certificate request vanished".into()))?
            }
        }
    };
    tracing::info!("eligibility certificate requested");
    Ok(ApiJson(RequestReceipt {
        receipt_number: row.receipt_number,
        received_at: crate::rfc3339(row.made_ms),
        certificate: true,
    }))
}

/// `POST /api/v1/insurance/application`: idempotent; refused with `NOT_YET_ELIGIBLE` and the exact
/// time to try again after a recent card event (F3).
#[utoipa::path(post, path = "/insurance/application", tag = "insurance", request_body = Application,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 200, body = Status), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn apply(
    State(state): State<AppState>,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
    ApiJson(application): ApiJson<Application>,
) -> Result<ApiJson<Status>, ApiError> {
    if application.terms_version != state.settings.terms_version {
        return Err(ApiError::TermsChanged);
    }
    let person = auth.person()?.to_owned();
    let content = crate::writes::insurance_content(&application);
    apply_for(
        &state,
        &person,
        application.register_portal_user,
        Signed::Write(&auth, &content),
    )
    .await?;
    Ok(ApiJson(status_of(&state, &person).await?))
}

/// Refuses an application before the F3 rule allows it: `NOT_YET_ELIGIBLE` with the exact time.
async fn check_eligible(state: &AppState, person: &str, now: i64) -> Result<(), ApiError> {
    let Some((kind, occurred_ms, auth_revoked)) = state.db.latest_card_event(person).await? else {
        return Ok(());
    };
    let event: CardEvent = kind
        .parse()
        .map_err(|e| ApiError::Internal(format!("stored card event: {e}")))?;
    let occurred = DateTime::<Utc>::from_timestamp_millis(occurred_ms).unwrap_or_default();
    match eligibility::available_from(
        event,
        occurred,
        auth_revoked,
        state.settings.eligibility_cut_over,
    ) {
        None => Err(ApiError::NotEligible),
        Some(from) if from.timestamp_millis() > now => Err(ApiError::NotYetEligible {
            available_from: crate::rfc3339(from.timestamp_millis()),
        }),
        Some(_) => Ok(()),
    }
}

/// What signs a write of the health-insurance application (`crate::writes`).
pub enum Signed<'a> {
    /// F1: the card signed this content in the card step before it.
    Write(&'a Authenticated, &'a [u8]),
    /// F6: the MyNa Point application's signature on the same session covers it.
    Bulk(&'a Authenticated),
}

impl Signed<'_> {
    /// Begins `person`'s write by claiming its signature (`crate::writes::begin`).
    ///
    /// # Errors
    /// `WRITE_NOT_SIGNED`, or a database failure.
    pub async fn begin(&self, state: &AppState, person: &str) -> Result<SignedWrite, ApiError> {
        match self {
            Self::Write(auth, content) => {
                crate::writes::begin(
                    state,
                    auth,
                    protocol::signing::WritePurpose::InsuranceApplication,
                    content,
                    person,
                )
                .await
            }
            Self::Bulk(auth) => crate::writes::begin_bulk(state, auth, person).await,
        }
    }
}

/// Records the application (idempotent) once the F3 rule allows it and the card's signature
/// is claimed, and the portal-user registration when opted in. Shared by F1 and the bulk
/// application of F6.
///
/// # Errors
/// The refusals of [`apply`] (`NOT_YET_ELIGIBLE`, `TERMS_CHANGED`, `WRITE_NOT_SIGNED`, …).
pub async fn apply_for(
    state: &AppState,
    person: &str,
    register_portal_user: bool,
    signed: Signed<'_>,
) -> Result<(), ApiError> {
    let now = state.now_ms();
    check_eligible(state, person, now).await?;
    let mut write = signed.begin(state, person).await?;
    let mut written = write
        .apply_insurance(
            person,
            register_portal_user,
            &state.settings.terms_version,
            &crate::domain::mynapoint::new_receipt_number(),
            now,
        )
        .await?;
    if register_portal_user {
        written |= write
            .register_portal_user(
                person,
                &state.settings.terms_version,
                &crate::domain::mynapoint::new_receipt_number(),
                now,
            )
            .await?;
    }
    // A repeat changes nothing: its signature is no evidence of a write (and stays unused).
    if written {
        write.commit().await?;
    } else {
        write.abandon().await?;
    }
    Ok(())
}

/// The F2 table of `person`.
///
/// # Errors
/// [`ApiError::Internal`] when the database fails.
pub async fn status_for(state: &AppState, person: &str) -> Result<Status, ApiError> {
    status_of(state, person).await
}

/// `GET /api/v1/insurance/status`: the F2 table.
#[utoipa::path(get, path = "/insurance/status", tag = "insurance",
    responses((status = 200, body = Status), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn status(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<ApiJson<Status>, ApiError> {
    let person = auth.person()?.to_owned();
    Ok(ApiJson(status_of(&state, &person).await?))
}
