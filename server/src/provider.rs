//! The payment providers' check of a payment-service ID and its security code (F5 step 5),
//! behind one adapter: an HTTP call to the provider's endpoint in production, or the built-in
//! demo provider for the embedded default set-up.
//!
//! The HTTP contract (`docs/provider.md`): `POST {url}` with
//! `{ registrationNumber, paymentServiceId, securityCode }` answers `200 { "valid": bool }`;
//! anything else, or no answer within the timeout, means the provider could not be asked.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::domain::mynapoint::PaymentInput;

/// Why the provider did not confirm the ID.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider cannot confirm this ID with this security code.
    #[error("the provider could not confirm the payment-service ID and security code")]
    Rejected,
    /// The provider did not answer usefully (timeout, network, unexpected answer).
    #[error("the payment provider could not be reached: {0}")]
    Unavailable(String),
}

/// Where IDs are checked.
#[derive(Debug, Clone)]
pub enum Provider {
    /// Built in: refuses the security code `000` (to show the error) and confirms the rest.
    Demo,
    /// The provider's HTTPS endpoint.
    Http {
        /// The client, with its timeout.
        client: reqwest::Client,
        /// The endpoint.
        url: reqwest::Url,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckRequest<'a> {
    registration_number: &'a str,
    payment_service_id: &'a str,
    security_code: &'a str,
}

#[derive(Deserialize)]
struct CheckAnswer {
    valid: bool,
}

/// The security code the demo provider refuses.
pub const DEMO_REFUSED_SECURITY_CODE: &str = "000";

impl Provider {
    /// The HTTP adapter for `url`, giving up after `timeout`.
    ///
    /// # Errors
    /// [`ProviderError`] when the HTTP client cannot be built (its TLS roots).
    pub fn http(url: reqwest::Url, timeout: Duration) -> Result<Self, ProviderError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        Ok(Self::Http { client, url })
    }

    /// Asks the provider whether `input` names an account of the service `registration_number`.
    ///
    /// # Errors
    /// [`ProviderError`] when the provider cannot be reached in time, or answers something other than
    /// its contract (`docs/provider.md`); a refusal of the account is an answer, not an error.
    pub async fn check(
        &self,
        registration_number: &str,
        input: &PaymentInput,
    ) -> Result<(), ProviderError> {
        match self {
            Self::Demo => {
                if input.security_code == DEMO_REFUSED_SECURITY_CODE {
                    Err(ProviderError::Rejected)
                } else {
                    Ok(())
                }
            }
            Self::Http { client, url } => {
                let response = client
                    .post(url.clone())
                    .json(&CheckRequest {
                        registration_number,
                        payment_service_id: &input.payment_service_id,
                        security_code: &input.security_code,
                    })
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::Unavailable(if e.is_timeout() {
                            "no answer in time".into()
                        } else {
                            // Without the URL's query, which could carry a credential.
                            e.without_url().to_string()
                        })
                    })?;
                let status = response.status();
                if !status.is_success() {
                    return Err(ProviderError::Unavailable(format!("HTTP {status}")));
                }
                let answer: CheckAnswer = response
                    .json()
                    .await
                    .map_err(|e| ProviderError::Unavailable(format!("unexpected answer: {e}")))?;
                if answer.valid {
                    Ok(())
                } else {
                    Err(ProviderError::Rejected)
                }
            }
        }
    }
}
