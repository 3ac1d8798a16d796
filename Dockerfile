# owlcms-tracker image: built with the same script as a local run (scripts/build), shipped as
# one static binary + the client bundle + the plugins on an empty base.
#   docker build -t owlcms-tracker .
#   docker run -p 8096:8096 -v tracker-data:/data owlcms-tracker
# Size: 16 MB (scripts/test-image prints it and fails above 25 MB; BENCHMARKS.md).

# ---- build: the Trunk bundle and the release server, static (musl) ----
FROM rust:1.95-bookworm AS build
# Build tools in their own layers (they change only with Cargo.lock or these scripts):
# musl-gcc for the allocator's C, brotli for the precompressed client, both Rust targets,
# trunk and the wasm-bindgen CLI pinned by Cargo.lock.
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools brotli \
    && rm -rf /var/lib/apt/lists/*
RUN rustup target add x86_64-unknown-linux-musl wasm32-unknown-unknown
WORKDIR /src
COPY scripts/install-wasm-toolchain.sh scripts/wasm-bindgen-version.sh scripts/
COPY Cargo.lock ./
RUN scripts/install-wasm-toolchain.sh
COPY . .
# Compiled dependencies (target/) and downloaded crates live in build caches: a code-only
# change recompiles only the workspace's own crates. The cache is not in any layer, so the
# outputs are copied out in the same step.
RUN --mount=type=cache,id=owlcms-tracker-target,target=/src/target \
    --mount=type=cache,id=owlcms-tracker-registry,target=/usr/local/cargo/registry \
    SERVER_TARGET=x86_64-unknown-linux-musl ./scripts/build \
    && mkdir -p /out/data \
    && cp target/x86_64-unknown-linux-musl/release/owlcms-tracker /out/owlcms-tracker

# ---- runtime: nothing but the static binary, the client bundle and the plugins ----
# No libc, shell or curl: the HEALTHCHECK is the binary itself; the user is numeric (no
# /etc/passwd needed).
FROM scratch
WORKDIR /app
COPY --from=build /out/owlcms-tracker /app/owlcms-tracker
COPY --from=build /src/dist /app/dist
COPY --from=build /src/plugins /app/plugins
# The data volume must belong to the unprivileged user the tracker runs as.
COPY --from=build --chown=65532:65532 /out/data /data
ENV PORT=8096 \
    LISTEN_ADDRESS=0.0.0.0 \
    DATA_DIR=/data \
    LOCAL_FILES_DIR=/data/local \
    SAMPLES_DIR=/data/samples \
    PLUGINS_DIR=/app/plugins \
    DIST_DIR=/app/dist \
    LOG_LEVEL=info \
    MIMALLOC_ARENA_EAGER_COMMIT=0 \
    MIMALLOC_PURGE_DELAY=0
# (mimalloc commits its arenas lazily: idle RSS 13 MiB instead of 29; and returns freed memory
# at once: 10 000 viewers 157 MiB instead of 260; BENCHMARKS.md.)
EXPOSE 8096
# Saved state, OWLCMS's flags/logos/pictures; and plugins (a mounted folder hot-reloads).
VOLUME ["/data", "/app/plugins"]
USER 65532:65532
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 CMD ["/app/owlcms-tracker", "healthcheck"]
# Exec form: the tracker is PID 1 and handles SIGTERM/SIGINT itself (graceful shutdown).
ENTRYPOINT ["/app/owlcms-tracker"]
CMD ["serve"]
