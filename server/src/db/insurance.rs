//! F1 and F2: the health-insurance use registration and its status.

use super::{Db, DbError, SignedWrite};

/// The F2 table's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsuranceStatusRow {
    /// When the application was received.
    pub applied_ms: i64,
    /// Its 受付番号 (none for an application received before receipts were numbered).
    pub receipt_number: Option<String>,
    /// What the insurer feed says: `None` nothing yet, `Some(true)` linked, `Some(false)` no
    /// insurer record.
    pub insurer: Option<bool>,
    /// Whether the person applied for the portal-user registration.
    pub portal_user: bool,
    /// The insurer's link as the feed said it, when there is one.
    pub link: Option<LinkRow>,
}

/// What the insurer's record links the person to (what the status screen shows, masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    /// The insurer.
    pub insurer_name: String,
    /// The last characters of the symbol (記号).
    pub symbol_last: Option<String>,
    /// The last characters of the number (番号).
    pub number_last: Option<String>,
    /// When the insurer's record was last updated.
    pub as_of_ms: Option<i64>,
    /// When the feed's record arrived (the registration was completed).
    pub linked_ms: i64,
    /// When the person disputed it (the link is frozen since).
    pub frozen_ms: Option<i64>,
}

/// A dispute of a link (「これは私ではない」), for its receipt and the insurer's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRow {
    /// 受付番号.
    pub receipt_number: String,
    /// The person.
    pub person_id: String,
    /// The link disputed.
    pub insurer_name: Option<String>,
    /// Its symbol's last characters.
    pub symbol_last: Option<String>,
    /// Its number's last characters.
    pub number_last: Option<String>,
    /// Its record's date.
    pub as_of_ms: Option<i64>,
    /// When it was reported.
    pub reported_ms: i64,
}

/// The insurer's record of a person as it stands: name (`None`: the insurer has no record),
/// the symbol's and the number's last characters, when a dispute froze it.
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct InsurerSnapshot {
    /// The insurer.
    pub insurer_name: Option<String>,
    /// The symbol's last characters.
    pub symbol_last: Option<String>,
    /// The number's last characters.
    pub number_last: Option<String>,
    /// When a dispute froze it.
    pub frozen_ms: Option<i64>,
}

/// What an [`InsuranceRequestRow`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// The registration's cancellation.
    Cancellation,
    /// The eligibility certificate's request on its own.
    Certificate,
}

impl RequestKind {
    /// As stored (`insurance_requests.kind`) and exported.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Cancellation => "cancellation",
            Self::Certificate => "certificate",
        }
    }

    fn parse(text: &str) -> Result<Self, DbError> {
        match text {
            "cancellation" => Ok(Self::Cancellation),
            "certificate" => Ok(Self::Certificate),
            other => Err(DbError::Corrupt(format!(
                "insurance request kind {other:?}"
            ))),
        }
    }
}

/// A cancellation of the registration or a request for the eligibility certificate (資格確認書),
/// for its receipt, the status screen and the insurer's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsuranceRequestRow {
    /// 受付番号.
    pub receipt_number: String,
    /// The person.
    pub person_id: String,
    /// What it is.
    pub kind: RequestKind,
    /// Whether the insurer is asked for the eligibility certificate.
    pub certificate: bool,
    /// The insurer's link when it was made (the insurer who acts on it), if any.
    pub insurer_name: Option<String>,
    /// Its symbol's last characters.
    pub symbol_last: Option<String>,
    /// Its number's last characters.
    pub number_last: Option<String>,
    /// A cancellation: the receipt of the application it cancelled.
    pub application_receipt: Option<String>,
    /// A cancellation: when that application was received.
    pub applied_ms: Option<i64>,
    /// When it was made.
    pub made_ms: i64,
}

#[derive(sqlx::FromRow)]
struct RequestRecord {
    receipt_number: String,
    person_id: String,
    kind: String,
    certificate: i64,
    insurer_name: Option<String>,
    symbol_last: Option<String>,
    number_last: Option<String>,
    application_receipt: Option<String>,
    applied_ms: Option<i64>,
    made_ms: i64,
}

impl TryFrom<RequestRecord> for InsuranceRequestRow {
    type Error = DbError;

    fn try_from(r: RequestRecord) -> Result<Self, DbError> {
        Ok(Self {
            receipt_number: r.receipt_number,
            person_id: r.person_id,
            kind: RequestKind::parse(&r.kind)?,
            certificate: r.certificate != 0,
            insurer_name: r.insurer_name,
            symbol_last: r.symbol_last,
            number_last: r.number_last,
            application_receipt: r.application_receipt,
            applied_ms: r.applied_ms,
            made_ms: r.made_ms,
        })
    }
}

impl Db {
    /// The certificate's request recorded under `key`.
    ///
    /// # Errors
    /// [`DbError`] when the database fails, or a stored kind is unknown.
    pub async fn request_by_key(&self, key: &str) -> Result<Option<InsuranceRequestRow>, DbError> {
        let row: Option<RequestRecord> = sqlx::query_as(
            "SELECT receipt_number, person_id, kind, certificate, insurer_name, symbol_last, number_last, \
             application_receipt, applied_ms, made_ms FROM insurance_requests WHERE certificate_key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(InsuranceRequestRow::try_from).transpose()
    }

    /// The person's insurer link as the feed says it now (name, the symbol's and the number's
    /// last characters), and when it was frozen by a dispute; `None` without a record.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn insurer_link(&self, person_id: &str) -> Result<Option<InsurerSnapshot>, DbError> {
        Ok(sqlx::query_as(
            "SELECT insurer_name, symbol_last, number_last, frozen_ms FROM insurer_records WHERE person_id = $1",
        )
        .bind(person_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// When the person registered as a portal user, and its receipt (none before receipts were
    /// numbered): their receipts, and F2 after a cancellation.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn portal_user_receipt(
        &self,
        person_id: &str,
    ) -> Result<Option<(i64, Option<String>)>, DbError> {
        Ok(sqlx::query_as(
            "SELECT registered_ms, receipt_number FROM portal_users WHERE person_id = $1",
        )
        .bind(person_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The cancellations and certificate requests made since `since_ms`, oldest first, of
    /// `person` or everyone.
    ///
    /// # Errors
    /// [`DbError`] when the database fails, or a stored kind is unknown.
    pub async fn insurance_requests(
        &self,
        since_ms: i64,
        person: Option<&str>,
    ) -> Result<Vec<InsuranceRequestRow>, DbError> {
        let rows: Vec<RequestRecord> = sqlx::query_as(
            "SELECT receipt_number, person_id, kind, certificate, insurer_name, symbol_last, number_last, \
             application_receipt, applied_ms, made_ms FROM insurance_requests \
             WHERE made_ms >= $1 AND ($2 = '' OR person_id = $2) ORDER BY made_ms, receipt_number",
        )
        .bind(since_ms)
        .bind(person.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(InsuranceRequestRow::try_from)
            .collect()
    }

    /// The person's application with what the insurer feed says and whether they applied for
    /// the portal-user registration: the F2 table in one query.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn insurance_status(
        &self,
        person_id: &str,
    ) -> Result<Option<InsuranceStatusRow>, DbError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            applied_ms: i64,
            receipt_number: Option<String>,
            insurer_linked_ms: Option<i64>,
            insurer_name: Option<String>,
            portal_user_ms: Option<i64>,
            symbol_last: Option<String>,
            number_last: Option<String>,
            as_of_ms: Option<i64>,
            frozen_ms: Option<i64>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT a.applied_ms, a.receipt_number, i.linked_ms AS insurer_linked_ms, i.insurer_name, p.registered_ms AS portal_user_ms, \
             i.symbol_last, i.number_last, i.as_of_ms, i.frozen_ms \
             FROM insurance_applications a \
             LEFT JOIN insurer_records i ON i.person_id = a.person_id \
             LEFT JOIN portal_users p ON p.person_id = a.person_id \
             WHERE a.person_id = $1",
        )
        .bind(person_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| InsuranceStatusRow {
            applied_ms: row.applied_ms,
            receipt_number: row.receipt_number,
            insurer: row.insurer_linked_ms.map(|_| row.insurer_name.is_some()),
            portal_user: row.portal_user_ms.is_some(),
            link: match (row.insurer_name, row.insurer_linked_ms) {
                (Some(insurer_name), Some(linked_ms)) => Some(LinkRow {
                    insurer_name,
                    symbol_last: row.symbol_last,
                    number_last: row.number_last,
                    as_of_ms: row.as_of_ms,
                    linked_ms,
                    frozen_ms: row.frozen_ms,
                }),
                _ => None,
            },
        }))
    }

    /// The disputes reported since `since_ms`, oldest first, for `persons` or everyone.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn disputes(
        &self,
        since_ms: i64,
        person: Option<&str>,
    ) -> Result<Vec<DisputeRow>, DbError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            receipt_number: String,
            person_id: String,
            insurer_name: Option<String>,
            symbol_last: Option<String>,
            number_last: Option<String>,
            as_of_ms: Option<i64>,
            reported_ms: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT receipt_number, person_id, insurer_name, symbol_last, number_last, as_of_ms, reported_ms \
             FROM link_disputes WHERE reported_ms >= $1 AND ($2 = '' OR person_id = $2) \
             ORDER BY reported_ms, receipt_number",
        )
        .bind(since_ms)
        .bind(person.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| DisputeRow {
                receipt_number: r.receipt_number,
                person_id: r.person_id,
                insurer_name: r.insurer_name,
                symbol_last: r.symbol_last,
                number_last: r.number_last,
                as_of_ms: r.as_of_ms,
                reported_ms: r.reported_ms,
            })
            .collect())
    }
}

/// The health-insurance writes, each in its signed write's transaction (`super::SignedWrite`).
impl SignedWrite {
    /// Records an application with its receipt; a second one for the same person changes nothing
    /// (idempotent): `false` then.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn apply_insurance(
        &mut self,
        person_id: &str,
        register_portal_user: bool,
        terms_version: &str,
        receipt_number: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "INSERT INTO insurance_applications (person_id, register_portal_user, terms_version, applied_ms, receipt_number) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) DO NOTHING",
        )
        .bind(person_id)
        .bind(i64::from(register_portal_user))
        .bind(terms_version)
        .bind(now_ms)
        .bind(receipt_number)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a dispute of the person's link and freezes it, in the write's transaction; `false`
    /// when the person has no link to dispute.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn dispute_link(&mut self, dispute: &DisputeRow) -> Result<bool, DbError> {
        let signed_write_id = self.id().to_owned();
        // Only the link disputed: an insurer's record that changed since it was read is not
        // frozen (the caller compared it; this holds under a concurrent import too).
        let frozen = sqlx::query(
            "UPDATE insurer_records SET frozen_ms = $1 WHERE person_id = $2 AND insurer_name = $3 \
             AND COALESCE(symbol_last, '') = COALESCE($4, '') AND COALESCE(number_last, '') = COALESCE($5, '') \
             AND COALESCE(as_of_ms, -1) = COALESCE($6, -1)",
        )
        .bind(dispute.reported_ms)
        .bind(&dispute.person_id)
        .bind(&dispute.insurer_name)
        .bind(&dispute.symbol_last)
        .bind(&dispute.number_last)
        .bind(dispute.as_of_ms)
        .execute(self.conn())
        .await?;
        if frozen.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO link_disputes (receipt_number, person_id, insurer_name, symbol_last, number_last, \
             as_of_ms, reported_ms, signed_write_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&dispute.receipt_number)
        .bind(&dispute.person_id)
        .bind(&dispute.insurer_name)
        .bind(&dispute.symbol_last)
        .bind(&dispute.number_last)
        .bind(dispute.as_of_ms)
        .bind(dispute.reported_ms)
        .bind(&signed_write_id)
        .execute(self.conn())
        .await?;
        Ok(true)
    }

    /// Cancels the person's registration in the write's transaction: removes the application whose
    /// receipt is `application_receipt` (`None`: one received before receipts were numbered; a
    /// new one registers again) and records the cancellation with a snapshot of the
    /// application and of the insurer's link. `None` when there is no such registration to
    /// cancel (never applied, a concurrent cancellation won, or it is another application now);
    /// else the recorded row.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn cancel_insurance(
        &mut self,
        person_id: &str,
        application_receipt: Option<&str>,
        receipt_number: &str,
        certificate: bool,
        now_ms: i64,
    ) -> Result<Option<InsuranceRequestRow>, DbError> {
        let signed_write_id = self.id().to_owned();
        // The DELETE decides: of two cancellations at once, one removes the row; and only the
        // application the card signed for (a new one since is not cancelled by it).
        let removed: Option<(i64, Option<String>)> = sqlx::query_as(
            "DELETE FROM insurance_applications WHERE person_id = $1 AND COALESCE(receipt_number, '') = $2 \
             RETURNING applied_ms, receipt_number",
        )
        .bind(person_id)
        .bind(application_receipt.unwrap_or(""))
        .fetch_optional(self.conn())
        .await?;
        let Some((applied_ms, application_receipt)) = removed else {
            return Ok(None);
        };
        let row = record_request(
            self.conn(),
            Request {
                person_id,
                receipt_number,
                kind: RequestKind::Cancellation,
                certificate,
                application: Some((applied_ms, application_receipt)),
                now_ms,
            },
            &signed_write_id,
        )
        .await?;
        Ok(Some(row))
    }

    /// Records `request` (a request for the eligibility certificate on its own) under `key`,
    /// one per key: `false` when a request under `key` exists already (another tab's) and
    /// nothing was written.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn request_certificate(
        &mut self,
        request: &InsuranceRequestRow,
        key: &str,
    ) -> Result<bool, DbError> {
        let signed_write_id = self.id().to_owned();
        insert_request(self.conn(), request, &signed_write_id, Some(key)).await
    }
}

/// What a cancellation or a certificate's request records, besides the insurer's link.
struct Request<'a> {
    person_id: &'a str,
    receipt_number: &'a str,
    kind: RequestKind,
    certificate: bool,
    /// A cancellation: when the cancelled application was received, and its receipt.
    application: Option<(i64, Option<String>)>,
    now_ms: i64,
}

/// Records `request` in `tx` with the person's insurer link as it stands (the insurer who acts
/// on it), and returns the row.
async fn record_request(
    conn: &mut sqlx::AnyConnection,
    request: Request<'_>,
    signed_write_id: &str,
) -> Result<InsuranceRequestRow, DbError> {
    let link: Option<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT insurer_name, symbol_last, number_last FROM insurer_records WHERE person_id = $1",
    )
    .bind(request.person_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (insurer_name, symbol_last, number_last) = link.unwrap_or_default();
    let (applied_ms, application_receipt) = request.application.unzip();
    let row = InsuranceRequestRow {
        receipt_number: request.receipt_number.to_owned(),
        person_id: request.person_id.to_owned(),
        kind: request.kind,
        certificate: request.certificate,
        insurer_name,
        symbol_last,
        number_last,
        application_receipt: application_receipt.flatten(),
        applied_ms,
        made_ms: request.now_ms,
    };
    insert_request(conn, &row, signed_write_id, None).await?;
    Ok(row)
}

/// Inserts `row` in `tx` (a certificate's request on its own under `key`): `false` when a row
/// under `key` exists already.
async fn insert_request(
    conn: &mut sqlx::AnyConnection,
    row: &InsuranceRequestRow,
    signed_write_id: &str,
    key: Option<&str>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO insurance_requests (receipt_number, person_id, kind, certificate, insurer_name, \
         symbol_last, number_last, application_receipt, applied_ms, made_ms, signed_write_id, certificate_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (certificate_key) DO NOTHING",
    )
    .bind(&row.receipt_number)
    .bind(&row.person_id)
    .bind(row.kind.as_str())
    .bind(i64::from(row.certificate))
    .bind(&row.insurer_name)
    .bind(&row.symbol_last)
    .bind(&row.number_last)
    .bind(&row.application_receipt)
    .bind(row.applied_ms)
    .bind(row.made_ms)
    .bind(signed_write_id)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
