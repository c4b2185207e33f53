//! `GET /api/v1/receipts`: やりとり履歴 — every write of the person with its receipt, re-opened
//! after a card login (issue 14; `docs/contract.md`, "Receipts").

use axum::extract::State;
use protocol::api::{ReceiptEntry, ReceiptKind, ReceiptStatus, Receipts, Registration};

use crate::{
    db::RequestKind, error::ApiError, handlers::ApiJson, session::Authenticated, AppState,
};

/// Where the registration of `registration` stands, as a receipt's status.
fn registration_status(registration: Registration) -> ReceiptStatus {
    match registration {
        Registration::Preparing => ReceiptStatus::Preparing,
        Registration::Completed => ReceiptStatus::Completed,
        Registration::ContactInsurer => ReceiptStatus::ContactInsurer,
        Registration::Frozen => ReceiptStatus::Frozen,
    }
}

fn receipt(
    kind: ReceiptKind,
    at_ms: i64,
    receipt_number: Option<String>,
    status: ReceiptStatus,
) -> (i64, ReceiptEntry) {
    (
        at_ms,
        ReceiptEntry {
            kind,
            at: crate::rfc3339(at_ms),
            receipt_number,
            status,
        },
    )
}

/// Every receipt of `person`, newest first: the health-insurance application (now, and each
/// one cancelled since), its cancellations, the eligibility certificate's requests, the link
/// disputes, the portal-user registration, the MyKey ID's reservation and the MyNa Point
/// application — each with where it stands now.
///
/// # Errors
/// [`ApiError::Internal`] when the database fails.
pub async fn receipts_of(state: &AppState, person: &str) -> Result<Vec<ReceiptEntry>, ApiError> {
    let mut found = Vec::new();
    let application = state.db.insurance_status(person).await?;
    if let Some(row) = &application {
        found.push(receipt(
            ReceiptKind::InsuranceApplication,
            row.applied_ms,
            row.receipt_number.clone(),
            registration_status(crate::handlers::insurance::registration_of(row)),
        ));
    }
    for request in state.db.insurance_requests(0, Some(person)).await? {
        if let Some(applied_ms) = request.applied_ms {
            found.push(receipt(
                ReceiptKind::InsuranceApplication,
                applied_ms,
                request.application_receipt.clone(),
                ReceiptStatus::Cancelled,
            ));
        }
        // What was written: a cancellation that also asked for the certificate is both, under
        // one number.
        if request.kind == RequestKind::Cancellation {
            found.push(receipt(
                ReceiptKind::InsuranceCancellation,
                request.made_ms,
                Some(request.receipt_number.clone()),
                ReceiptStatus::Received,
            ));
        }
        if request.certificate {
            found.push(receipt(
                ReceiptKind::CertificateRequest,
                request.made_ms,
                Some(request.receipt_number),
                ReceiptStatus::Received,
            ));
        }
    }
    // The newest dispute holds the freeze while the insurer's record is frozen (with or
    // without a registration now); the others were answered by a different or newer record
    // (which lifts a freeze).
    let frozen = state
        .db
        .insurer_link(person)
        .await?
        .is_some_and(|link| link.frozen_ms.is_some());
    let disputes = state.db.disputes(0, Some(person)).await?;
    let newest = disputes.len().checked_sub(1);
    for (index, dispute) in disputes.into_iter().enumerate() {
        let status = if Some(index) == newest && frozen {
            ReceiptStatus::Frozen
        } else {
            ReceiptStatus::Resolved
        };
        found.push(receipt(
            ReceiptKind::LinkDispute,
            dispute.reported_ms,
            Some(dispute.receipt_number),
            status,
        ));
    }
    if let Some((reserved_ms, receipt_number)) = state.db.reservation_receipt(person).await? {
        found.push(receipt(
            ReceiptKind::MynapointReservation,
            reserved_ms,
            receipt_number,
            ReceiptStatus::Completed,
        ));
    }
    if let Some((registered_ms, receipt_number)) = state.db.portal_user_receipt(person).await? {
        found.push(receipt(
            ReceiptKind::PortalUser,
            registered_ms,
            receipt_number,
            ReceiptStatus::Completed,
        ));
    }
    if let Some(point) = state.db.point_application(person).await? {
        found.push(receipt(
            ReceiptKind::MynapointApplication,
            point.applied_ms,
            Some(point.receipt_number),
            ReceiptStatus::Received,
        ));
    }
    // Newest first; a stable sort keeps the order written at one instant.
    found.sort_by_key(|(at_ms, _)| std::cmp::Reverse(*at_ms));
    Ok(found.into_iter().map(|(_, entry)| entry).collect())
}

/// `GET /api/v1/receipts`: やりとり履歴 of the card that logged in.
#[utoipa::path(get, path = "/receipts", tag = "receipts",
    responses((status = 200, body = Receipts), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<ApiJson<Receipts>, ApiError> {
    let person = auth.person()?.to_owned();
    Ok(ApiJson(Receipts {
        receipts: receipts_of(&state, &person).await?,
    }))
}
