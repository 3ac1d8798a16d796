//! Database freshness for documents (behaviour rule R2.6): OWLCMS does not resend its database
//! when a platform moves to its next session, so a document opened after a session change asks
//! for a fresh export (428, reason `plugin_preconditions`), waits a little for it, then renders
//! from what it has. The hub spaces requests out (one per 30 s), so this never storms OWLCMS.

use super::Views;
use crate::hub::HubState;
use crate::plugins::registry::Plugin;
use crate::protocol::replies::Resource;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::info;

/// How long a document waits for the fresh database before it renders anyway (the original
/// waits 2 s per try, 5 s in all; one try suffices: a late database re-renders the view).
const FRESH_DATABASE_WAIT: Duration = Duration::from_secs(2);

impl Views {
    /// The state a document should render from: after asking OWLCMS for a fresh database when
    /// the loaded one predates the last session change.
    pub(super) async fn fresh_for_document(
        &self,
        plugin: &Plugin,
        state: Arc<HubState>,
        state_rx: &mut watch::Receiver<Arc<HubState>>,
    ) -> Arc<HubState> {
        let connected = state.owlcms_connected;
        if plugin.config.category != "documents" || !state.database_stale || !connected {
            return state;
        }
        if !self.hub.request_resources(vec![Resource::Database]).await {
            return state;
        }
        info!(plugin = %plugin.id, "document opened after a session change: asked OWLCMS for a fresh database");
        let loaded_before = state.database_loaded_at_ms;
        let fresh = state_rx.wait_for(|s| s.database_loaded_at_ms > loaded_before);
        let arrived = matches!(tokio::time::timeout(FRESH_DATABASE_WAIT, fresh).await, Ok(Ok(_)));
        if !arrived {
            info!(plugin = %plugin.id, "no fresh database yet; the document shows the merged results");
        }
        state_rx.borrow_and_update().clone()
    }
}
