//! Turning binary frames and database payloads into hub inputs: header and version checks,
//! ZIP extraction, database and translation parsing. Heavy work runs on the blocking pool
//! while the connection waits, so its frames stay in order and the hub stays responsive.

use super::connection::Connection;
use crate::hash::sha256_hex;
use crate::hub::competition::Loaded;
use crate::hub::database::{Database, DatabaseError};
use crate::hub::translations::{Translations, TranslationsError};
use crate::hub::{AssetInfo, AssetKind, HubClosed, Input, Note, now_ms};
use crate::protocol::archive::{self, ArchiveError};
use crate::protocol::binary::{BinaryKind, parse_header};
use crate::protocol::{check_version, replies};
use axum::body::Bytes;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;
use tracing::info;

/// Why a frame's content could not be used.
#[derive(Debug, thiserror::Error)]
pub(super) enum LoadError {
    #[error("binary frame refused: {0}")]
    Header(#[from] crate::protocol::binary::BinaryError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error(transparent)]
    Translations(#[from] TranslationsError),
    #[error(transparent)]
    Hub(#[from] HubClosed),
    #[error("internal error: {0}")]
    Internal(String),
}

impl LoadError {
    fn status(&self) -> u16 {
        match self {
            LoadError::Hub(_) | LoadError::Internal(_) => 500,
            LoadError::Archive(ArchiveError::Io(_)) => 500,
            _ => 400,
        }
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, LoadError> + Send + 'static,
) -> Result<T, LoadError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| LoadError::Internal(e.to_string()))?
}

impl Connection {
    /// Logs and counts a refused frame; returns the reply for OWLCMS.
    pub(super) async fn refuse(&self, error: LoadError) -> Value {
        let message = error.to_string();
        self.ctx.hub.note(Note::IngestError(message.clone())).await;
        replies::failed(error.status(), &message)
    }

    /// Handles an authenticated binary frame; returns a reply only for errors.
    pub(super) async fn process_binary(&mut self, frame: Bytes) -> Option<Value> {
        let header = match parse_header(&frame) {
            Ok(header) => header,
            Err(error) => return Some(self.refuse(error.into()).await),
        };
        self.ctx.hub.note(Note::Received(header.type_name.clone())).await;
        if let Some(version) = &header.version
            && let Err(error) = check_version(version)
        {
            // Binary frames get no reply for a version failure (protocol §3.2), only the latch.
            let input = Input::ProtocolMismatch { received: Some(version.clone()), reason: error.to_string() };
            let _ = self.ctx.hub.apply(input).await;
            return None;
        }
        let payload = frame.slice(header.payload_offset..);
        let result = match header.kind {
            BinaryKind::DatabaseZip => self.database_zip(payload).await,
            BinaryKind::TranslationsZip => self.translations_zip(payload).await,
            BinaryKind::FlagsZip => self.assets_zip(AssetKind::Flags, payload).await,
            BinaryKind::LogosZip => self.assets_zip(AssetKind::Logos, payload).await,
            BinaryKind::PicturesZip => self.assets_zip(AssetKind::Pictures, payload).await,
            BinaryKind::GamxZip => self.assets_zip(AssetKind::Gamx, payload).await,
            BinaryKind::Other => {
                info!(r#type = %header.type_name, bytes = payload.len(), "binary frame type not used by the tracker; ignored");
                Ok(())
            }
        };
        match result {
            Ok(()) => None,
            Err(error) => Some(self.refuse(error).await),
        }
    }

    async fn database_zip(&mut self, payload: Bytes) -> Result<(), LoadError> {
        // The hub knows the checksum database_metadata announced: if it is the loaded
        // database, the ZIP need not even be opened.
        if self.ctx.hub.apply(Input::DatabaseOffered(None)).await?.database == Some(Loaded::Unchanged) {
            info!("database unchanged (same checksum); not reloaded");
            return Ok(());
        }
        let announced = self.ctx.hub.state().announced_checksum.clone();
        let limits = self.ctx.zip_limits;
        let started = Instant::now();
        let db = blocking(move || {
            let json = if payload.first() == Some(&b'{') {
                payload.to_vec()
            } else {
                archive::read_json_entry(&payload, &["competition.json", "database.json"], &limits)?.1
            };
            Ok(Database::parse(&json, announced)?)
        })
        .await?;
        self.install_database(db, started).await
    }

    /// Loads a database that arrived as JSON inside a text message.
    pub(super) async fn load_database_value(
        &mut self,
        value: Value,
        checksum: Option<String>,
    ) -> Result<(), LoadError> {
        if checksum.is_some()
            && self.ctx.hub.apply(Input::DatabaseOffered(checksum.clone())).await?.database == Some(Loaded::Unchanged)
        {
            info!("database unchanged (same checksum); not reloaded");
            return Ok(());
        }
        let started = Instant::now();
        let db = blocking(move || {
            let hash = sha256_hex(&serde_json::to_vec(&value).map_err(|e| LoadError::Internal(e.to_string()))?);
            Ok(Database::from_value(value, checksum, hash)?)
        })
        .await?;
        self.install_database(db, started).await
    }

    /// Hands a parsed database to the hub, which keeps the loaded one when the bytes match.
    async fn install_database(&mut self, db: Database, started: Instant) -> Result<(), LoadError> {
        let (athletes, fops, name) =
            (db.athlete_count(), db.fop_names.clone(), db.competition_name().unwrap_or("?").to_owned());
        let outcome = self.ctx.hub.apply(Input::DatabaseLoaded(Arc::new(db))).await?;
        if outcome.database == Some(Loaded::Unchanged) {
            info!("database unchanged (same content); not reloaded");
        } else {
            let ms = started.elapsed().as_millis() as u64;
            info!(athletes, ?fops, competition = %name, ms, "database loaded");
        }
        Ok(())
    }

    async fn translations_zip(&mut self, payload: Bytes) -> Result<(), LoadError> {
        let limits = self.ctx.zip_limits;
        let translations = blocking(move || {
            let (_, json) = archive::read_json_entry(&payload, &["translations.json"], &limits)?;
            Ok(Translations::parse(&json)?)
        })
        .await?;
        let (locales, keys) = (translations.locales.len(), translations.key_count());
        let outcome = self.ctx.hub.apply(Input::TranslationsLoaded(Arc::new(translations))).await?;
        if outcome.translations == Some(Loaded::Unchanged) {
            info!("translations unchanged (same checksum); not reloaded");
        } else {
            info!(locales, keys, "translations loaded");
        }
        Ok(())
    }

    async fn assets_zip(&mut self, kind: AssetKind, payload: Bytes) -> Result<(), LoadError> {
        let store = self.ctx.assets.clone();
        let limits = self.ctx.zip_limits;
        let extracted = blocking(move || Ok(store.replace(kind, &payload, &limits)?)).await?;
        info!(kind = kind.dir(), files = extracted.files, bytes = extracted.bytes, "asset folder replaced");
        let info = AssetInfo { files: extracted.files, bytes: extracted.bytes, loaded_at_ms: now_ms() };
        self.ctx.hub.apply(Input::AssetsReplaced(kind, info)).await?;
        Ok(())
    }
}
