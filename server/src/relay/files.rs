//! A relay's mirror of the ingest node's local folders (flags, logos, pictures) and plugins
//! folder: every file of the files bucket written under the relay's own mirror folder, with
//! the ingest node's modification time, and served by the same routes as on the ingest node
//! ([`crate::web::files`]), so bytes, content type and `Last-Modified` match.

use super::Buckets;
use super::follow::each_entry;
use super::wire::{FileRecord, text_of_key};
use async_nats::jetstream::kv::Operation;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// The mirror's file for a published path; `None` for a path that would leave the folder.
pub fn local_path(dir: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path);
    let safe = !path.is_empty()
        && !path.contains(['\\', '\0'])
        && relative.components().all(|c| matches!(c, Component::Normal(_)))
        && (path.starts_with("local/") || path.starts_with("plugins/"));
    safe.then(|| dir.join(relative))
}

fn write(dir: &Path, record: &FileRecord) -> std::io::Result<()> {
    let Some(target) = local_path(dir, &record.header.path) else {
        return Err(std::io::Error::other("unsafe path"));
    };
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // Written aside then renamed: a viewer never reads half a file.
    let temporary = dir.join(format!(".part-{}", std::process::id()));
    std::fs::write(&temporary, &record.data)?;
    let modified = UNIX_EPOCH + Duration::from_nanos(record.header.modified_ns);
    std::fs::File::options().write(true).open(&temporary)?.set_modified(modified)?;
    std::fs::rename(&temporary, &target)
}

/// Empties the mirror, then keeps it equal to the files bucket until `shutdown`.
pub async fn follow(dir: PathBuf, mut buckets: watch::Receiver<Option<Buckets>>, shutdown: CancellationToken) {
    // What a previous run left may have been removed on the ingest node since: start over.
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(error) = std::fs::create_dir_all(&dir) {
        return warn!(%error, dir = %dir.display(), "cannot create the files mirror: /local and plugin edits are not served");
    }
    let ready = buckets.wait_for(Option::is_some).await.ok().and_then(|b| b.clone());
    let Some(buckets) = ready else { return };
    let written = std::sync::atomic::AtomicUsize::new(0);
    let written = &written;
    each_entry(&buckets.files, "files", &shutdown, |entry| {
        let dir = dir.clone();
        async move {
            let done = if entry.operation == Operation::Put {
                let record = match FileRecord::decode(&entry.value) {
                    Ok(record) => record,
                    Err(error) => return warn!(%error, "file record ignored"),
                };
                tokio::task::spawn_blocking(move || write(&dir, &record).map_err(|e| (record.header.path, e))).await
            } else {
                let Some(path) = text_of_key(&entry.key) else { return };
                tokio::task::spawn_blocking(move || {
                    if let Some(file) = local_path(&dir, &path) {
                        let _ = std::fs::remove_file(file);
                    }
                    Ok::<(), (String, std::io::Error)>(())
                })
                .await
            };
            match done {
                Ok(Ok(())) => {
                    let written = written.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if written.is_power_of_two() {
                        info!(files = written, "files mirrored from the ingest node");
                    }
                }
                Ok(Err((path, error))) => warn!(%error, %path, "file not mirrored"),
                Err(_) => {}
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_mirror_are_written() {
        let dir = Path::new("/m");
        assert_eq!(local_path(dir, "local/flags/Bjørgvin IL.svg"), Some(dir.join("local/flags/Bjørgvin IL.svg")));
        assert_eq!(local_path(dir, "plugins/x/style.css"), Some(dir.join("plugins/x/style.css")));
        for bad in ["local/../../etc/passwd", "/etc/passwd", "other/x", "local\\x", "", "local/x\0"] {
            assert_eq!(local_path(dir, bad), None, "{bad}");
        }
    }
}
