//! MyNa Point: reservation (F4), payment-service search and application (F5), and the bulk
//! application that follows (F6).

use axum::extract::{Query, State};
use serde::Deserialize;

use protocol::api::{
    BulkApplication, BulkResult, PointApplication as Application, Received, Reservation, Services,
};

use crate::{
    db::PointApplicationRow,
    domain::mynapoint,
    error::ApiError,
    handlers::{insurance, ApiJson},
    limits::{self, ClientIp},
    session::{Authenticated, AuthenticatedCsrf},
    AppState,
};

/// How many times a MyKey ID is drawn again when it collides (40 bits: practically never).
const MYKEY_DRAWS: usize = 5;

/// `POST /api/v1/mynapoint/reservation`: issues the person's MyKey ID, or returns the one
/// already issued (F4).
#[utoipa::path(post, path = "/mynapoint/reservation", tag = "mynapoint",
    responses((status = 200, body = Reservation), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn reserve(
    State(state): State<AppState>,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
) -> Result<ApiJson<Reservation>, ApiError> {
    let person = auth.person()?.to_owned();
    let mut write = crate::writes::begin(
        &state,
        &auth,
        protocol::signing::WritePurpose::MynapointReservation,
        &crate::writes::reservation_content(),
        &person,
    )
    .await?;
    let receipt_number = mynapoint::new_receipt_number();
    for _ in 0..MYKEY_DRAWS {
        let candidate = mynapoint::new_mykey_id();
        if let Some((my_key_id, reserved)) = write
            .reserve_mykey(&person, &candidate, &receipt_number, state.now_ms())
            .await?
        {
            // Reserved before (a repeat, another tab): the same ID, nothing written.
            if reserved {
                write.commit().await?;
            } else {
                write.abandon().await?;
            }
            return Ok(ApiJson(Reservation { my_key_id }));
        }
    }
    // Dropped: nothing kept, the signature unused.
    Err(ApiError::Internal("no free MyKey ID in 5 draws".into()))
}

/// `GET /api/v1/mynapoint/reservation`: the person's MyKey ID (shown at the top right of every
/// MyNa Point screen).
#[utoipa::path(get, path = "/mynapoint/reservation", tag = "mynapoint",
    responses((status = 200, body = Reservation), (status = 404, body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn reservation(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<ApiJson<Reservation>, ApiError> {
    let person = auth.person()?.to_owned();
    let my_key_id = state
        .db
        .mykey_of(&person)
        .await?
        .ok_or(ApiError::NotFound("no MyKey ID has been issued"))?;
    Ok(ApiJson(Reservation { my_key_id }))
}

/// The search of F5 step 1.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Search {
    /// Keyword in katakana, hiragana or half-width kana (or Latin); empty lists everything.
    #[serde(default)]
    pub q: String,
}

/// Longest search keyword, in characters.
const MAX_QUERY: usize = 64;

/// `GET /api/v1/mynapoint/services?q=`: the payment services matching the keyword.
#[utoipa::path(get, path = "/mynapoint/services", tag = "mynapoint", params(Search),
    responses((status = 200, body = Services), (status = 400, body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn services(
    State(state): State<AppState>,
    Query(search): Query<Search>,
) -> Result<ApiJson<Services>, ApiError> {
    if search.q.chars().count() > MAX_QUERY {
        return Err(ApiError::InvalidRequest(format!(
            "the keyword is longer than {MAX_QUERY} characters"
        )));
    }
    Ok(ApiJson(Services {
        services: state
            .catalogue
            .search(&search.q)
            .into_iter()
            .cloned()
            .collect(),
    }))
}

/// The receipt of F5 step 8 (a wire type: the SPA reads it too).
pub use protocol::mynapoint::Receipt;

fn receipt(
    state: &AppState,
    my_key_id: String,
    row: &PointApplicationRow,
) -> Result<Receipt, ApiError> {
    let service = state.catalogue.get(&row.service_code).ok_or_else(|| {
        ApiError::Internal(format!(
            "service {} left the catalogue after an application",
            row.service_code
        ))
    })?;
    Ok(Receipt {
        my_key_id,
        service_name: service.name.clone(),
        category: service.category.clone(),
        payment_method: service.payment_method.clone(),
        registration_number: service.registration_number.clone(),
        payment_service_id: mynapoint::mask(&row.payment_id_last4),
        phone_last4: row.phone_last4.clone(),
        applied_at: crate::rfc3339(row.applied_ms),
        receipt_number: row.receipt_number.clone(),
    })
}

/// An existing application answers a retry of the same request with its receipt, and anything
/// else with `ALREADY_APPLIED`: one service per person, never changed.
fn existing(
    state: &AppState,
    my_key_id: String,
    row: &PointApplicationRow,
    service_code: &str,
    payment_key: &str,
) -> Result<Receipt, ApiError> {
    if row.service_code == service_code && row.payment_key == payment_key {
        receipt(state, my_key_id, row)
    } else {
        Err(ApiError::AlreadyApplied)
    }
}

/// What the checks of an application found: whose it is, and what to store.
struct Checked {
    person: String,
    my_key_id: String,
    code: String,
    payment_key: String,
    input: mynapoint::PaymentInput,
    /// The person's application, when they already made one (a retry, or another ID).
    existing: Option<PointApplicationRow>,
}

/// The checks of F5 step 5, shared by the check at 「確認」 and the signed application: the
/// reservation, the service (and the terminal's rule), the terms, the fields, one service per
/// person, one application per payment-service ID, then the provider.
async fn check_application(
    state: &AppState,
    ip: ClientIp,
    auth: &Authenticated,
    application: &Application,
) -> Result<Checked, ApiError> {
    limits::per_ip(state, ip).await?;
    limits::per_certificate(state, &auth.certificate_key).await?;
    let person = auth.person()?.to_owned();
    let my_key_id = state
        .db
        .mykey_of(&person)
        .await?
        .ok_or(ApiError::MykeyRequired)?;
    let service = state
        .catalogue
        .get(&application.service_code)
        .ok_or(ApiError::UnknownService)?;
    if application.kiosk && !service.kiosk_applicable {
        return Err(ApiError::KioskNotAvailable);
    }
    if application.terms_version != state.settings.point_terms_version {
        return Err(ApiError::TermsChanged);
    }
    let input = mynapoint::parse_input(
        &application.payment_service_id,
        &application.security_code,
        application.phone_last4.as_deref(),
    )?;
    let code = service.registration_number.clone();
    let payment_key = mynapoint::payment_key(&input, &code);
    let existing = state.db.point_application(&person).await?;
    match &existing {
        Some(row) if row.service_code != code || row.payment_key != payment_key => {
            return Err(ApiError::AlreadyApplied);
        }
        Some(_) => {}
        None => {
            if state.db.payment_key_taken(&payment_key).await? {
                return Err(ApiError::PaymentIdTaken);
            }
            state.provider.check(&code, &input).await?;
        }
    }
    Ok(Checked {
        person,
        my_key_id,
        code,
        payment_key,
        input,
        existing,
    })
}

/// `POST /api/v1/mynapoint/application/check`: F5 step 5's 「確認」 — every check of the
/// application (the provider's confirmation of the ID and security code, the ID not yet used)
/// without applying, so that step 5's errors show at step 5, before the card is read again. The
/// signed application repeats them atomically.
#[utoipa::path(post, path = "/mynapoint/application/check", tag = "mynapoint", request_body = Application,
    responses((status = 204), (status = "4XX", body = protocol::api::ApiErrorBody),
        (status = 502, body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn check(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
    ApiJson(application): ApiJson<Application>,
) -> Result<axum::http::StatusCode, ApiError> {
    check_application(&state, ip, &auth, &application).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `POST /api/v1/mynapoint/application`: checks the input, the provider and the uniqueness of
/// the ID (the same checks as [`check`], again: the ID may have been taken meanwhile), and
/// returns the receipt.
#[utoipa::path(post, path = "/mynapoint/application", tag = "mynapoint", request_body = Application,
    responses((status = 200, body = Receipt), (status = "4XX", body = protocol::api::ApiErrorBody),
        (status = 502, body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn apply(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
    ApiJson(application): ApiJson<Application>,
) -> Result<ApiJson<Receipt>, ApiError> {
    let Checked {
        person,
        my_key_id,
        code,
        payment_key,
        input,
        existing: earlier,
    } = check_application(&state, ip, &auth, &application).await?;
    if let Some(row) = earlier {
        // A retry of the same request: its receipt (nothing is written).
        return Ok(ApiJson(receipt(&state, my_key_id, &row)?));
    }
    // The card's signature over exactly this application, claimed in the row's transaction:
    // kept with it, or not at all when the database keeps another one (the evidence is of
    // writes made).
    let mut write = crate::writes::begin(
        &state,
        &auth,
        protocol::signing::WritePurpose::MynapointApplication,
        &crate::writes::point_content(&state, &application)?,
        &person,
    )
    .await?;
    let code = code.as_str();
    let row = PointApplicationRow {
        service_code: code.to_owned(),
        payment_key: payment_key.clone(),
        payment_id_last4: input.last4(),
        phone_last4: input.phone_last4.clone(),
        receipt_number: mynapoint::new_receipt_number(),
        applied_ms: state.now_ms(),
        terms_version: Some(application.terms_version.clone()),
    };
    if write.insert_point_application(&row, &person).await? {
        write.commit().await?;
        tracing::info!(service = code, "MyNa Point application");
        return Ok(ApiJson(receipt(&state, my_key_id, &row)?));
    }
    write.abandon().await?;
    // A concurrent request won: by this person (same or other ID), or by someone else with
    // this ID. (A clash of two random 20-digit receipt numbers is left to the client's retry.)
    match state.db.point_application(&person).await? {
        Some(row) => Ok(ApiJson(existing(
            &state,
            my_key_id,
            &row,
            code,
            &payment_key,
        )?)),
        None if state.db.payment_key_taken(&payment_key).await? => Err(ApiError::PaymentIdTaken),
        None => Err(ApiError::Internal("receipt number clash".into())),
    }
}

/// `GET /api/v1/mynapoint/application`: the receipt again (after a reload, or at the call centre
/// desk).
#[utoipa::path(get, path = "/mynapoint/application", tag = "mynapoint",
    responses((status = 200, body = Receipt), (status = 404, body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn application(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<ApiJson<Receipt>, ApiError> {
    let person = auth.person()?.to_owned();
    let not_found = || ApiError::NotFound("no MyNa Point application yet");
    let my_key_id = state.db.mykey_of(&person).await?.ok_or_else(not_found)?;
    let row = state
        .db
        .point_application(&person)
        .await?
        .ok_or_else(not_found)?;
    Ok(ApiJson(receipt(&state, my_key_id, &row)?))
}

/// `POST /api/v1/bulk-application`: 一括利用申込, on the session the card already authenticated
/// (no second PIN). The insurance part follows the F3 rule; when it is refused nothing is
/// recorded.
#[utoipa::path(post, path = "/bulk-application", tag = "mynapoint", request_body = BulkApplication,
    responses((status = 200, body = BulkResult), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn bulk(
    State(state): State<AppState>,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
    ApiJson(request): ApiJson<BulkApplication>,
) -> Result<ApiJson<BulkResult>, ApiError> {
    if !request.portal_user && !request.insurance {
        return Err(ApiError::InvalidRequest(
            "choose at least one of portalUser and insurance".into(),
        ));
    }
    if request
        .terms_version
        .as_ref()
        .is_some_and(|version| *version != state.settings.terms_version)
    {
        return Err(ApiError::TermsChanged);
    }
    let person = auth.person()?.to_owned();
    if request.insurance {
        insurance::apply_for(
            &state,
            &person,
            request.portal_user,
            insurance::Signed::Bulk(&auth),
        )
        .await?;
    } else {
        let mut write = insurance::Signed::Bulk(&auth)
            .begin(&state, &person)
            .await?;
        let registered = write
            .register_portal_user(
                &person,
                &state.settings.terms_version,
                &mynapoint::new_receipt_number(),
                state.now_ms(),
            )
            .await?;
        // Registered before: nothing written, F5's signature still covers a bulk application.
        if registered {
            write.commit().await?;
        } else {
            write.abandon().await?;
        }
    }
    Ok(ApiJson(BulkResult {
        portal_user: request.portal_user.then_some(Received::Received),
        insurance: if request.insurance {
            Some(insurance::status_for(&state, &person).await?)
        } else {
            None
        },
    }))
}
