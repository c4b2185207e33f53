//! The MyNa Point answers of the server's API, as the server writes them and the SPA reads them
//! (`GET /api/v1/mynapoint/services`, the receipt of `POST /api/v1/mynapoint/application`).
//! With the `openapi` feature (the server's) they also describe themselves for the OpenAPI
//! document.

use serde::{Deserialize, Serialize};

/// One payment service of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    /// 登録サービス番号 (`MP` and 7 digits): also the code the SPA sends.
    pub registration_number: String,
    /// 決済サービス名称.
    pub name: String,
    /// The name in full-width katakana, for search.
    pub kana: String,
    /// 決済サービス区分 (電子マネー, QRコード決済, …).
    pub category: String,
    /// 利用方法 (前払, 即時払, 後払).
    pub payment_method: String,
    /// Whether the MyNa Point terminal (kiosk) can apply for it; some services only take
    /// applications in their own app or shop.
    pub kiosk_applicable: bool,
}

/// The receipt of F5 step 8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// マイキーID.
    pub my_key_id: String,
    /// 決済サービス名称.
    pub service_name: String,
    /// 決済サービス区分.
    pub category: String,
    /// 利用方法.
    pub payment_method: String,
    /// 登録サービス番号.
    pub registration_number: String,
    /// 決済サービスID, masked: `*****8901`.
    pub payment_service_id: String,
    /// 電話番号(下4桁).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_last4: Option<String>,
    /// 申込日時 (RFC 3339, JST).
    pub applied_at: String,
    /// 申込処理番号: `XXXX XXXX XXXX XXXX XXXX`.
    pub receipt_number: String,
}
