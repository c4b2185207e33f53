//! Every card operation on a worker thread under a deadline (PC/SC has no transmit timeout: a
//! silent card would otherwise hang the host), one at a time (`CARD_IN_USE`), on one PC/SC
//! context re-established when pcscd restarted.

use std::{
    sync::{mpsc, Arc, Mutex, MutexGuard},
    time::Duration,
};

use pcsc::{Context, Scope};

use crate::errors::BridgeError;

/// Held by the worker for a whole card operation, clean-up included, so that the next operation
/// starts only once the card has been unpowered.
pub(super) static CARD_IN_USE: Mutex<()> = Mutex::new(());

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) fn context(contexts: &Mutex<Option<Context>>) -> Result<Context, BridgeError> {
    let mut slot = lock(contexts);
    if let Some(context) = slot.as_ref() {
        if context.is_valid().is_ok() {
            return Ok(context.clone());
        }
    }
    let context = Context::establish(Scope::User)?;
    *slot = Some(context.clone());
    Ok(context)
}

/// Drops the cached context after an error that a stale context gives
/// ([`BridgeError::may_be_stale_context`]); true when it did, so that the caller may try once
/// more on a new one. A new context costs a few milliseconds.
pub(super) fn forget_context_on_service_loss<T>(
    contexts: &Mutex<Option<Context>>,
    result: &Result<T, BridgeError>,
) -> bool {
    let lost = matches!(result, Err(e) if e.may_be_stale_context());
    if lost {
        *lock(contexts) = None;
    }
    lost
}

/// Runs `op` on a worker thread and gives up after `deadline`. `op` answers through the callback
/// it is given and may go on cleaning up afterwards. A worker stuck on a silent card is left
/// behind; the host stays responsive and answers `TIMEOUT`.
pub(super) fn with_deadline<T: Send + 'static>(
    deadline: Duration,
    op: impl FnOnce(&dyn Fn(Result<T, BridgeError>) -> bool) + Send + 'static,
) -> Result<T, BridgeError> {
    let (sender, receiver) = mpsc::channel();
    // `None` once the caller stopped waiting: a reply after that is refused, so the worker
    // knows its answer was never seen (and keeps nothing it would have handed over).
    let waiting = Arc::new(Mutex::new(Some(sender)));
    let worker_side = Arc::clone(&waiting);
    let spawned = std::thread::Builder::new()
        .name("card".into())
        .spawn(move || {
            op(&|result| {
                lock(&worker_side)
                    .as_ref()
                    .is_some_and(|sender| sender.send(result).is_ok())
            });
        });
    if spawned.is_err() {
        return Err(BridgeError::Internal("could not start the card worker"));
    }
    match receiver.recv_timeout(deadline) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            lock(&waiting).take();
            // Answered between the deadline and the line above: that answer counts.
            if let Ok(result) = receiver.try_recv() {
                return result;
            }
            tracing::warn!(
                deadline_ms = deadline.as_millis() as u64,
                "card operation timed out"
            );
            Err(BridgeError::Timeout)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(BridgeError::Internal("the card worker failed"))
        }
    }
}
