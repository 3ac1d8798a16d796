# owlcms-tracker image: build with the same script as a local run, ship a small runtime.
#   docker build -t owlcms-tracker .
#   docker run -p 8096:8096 -v tracker-data:/data owlcms-tracker
# Check the size with: docker image ls owlcms-tracker   (target: ≤ 40 MB)

# ---- build: the Trunk bundle and the release server (scripts/build, as scripts/run does) ----
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN ./scripts/build && mkdir -p /empty-data

# ---- runtime: glibc + the binary, the client bundle and the plugins; no shell, no curl ----
FROM gcr.io/distroless/cc-debian12:nonroot
WORKDIR /app
COPY --from=build /src/target/release/owlcms-tracker /app/owlcms-tracker
COPY --from=build /src/dist /app/dist
COPY --from=build /src/plugins /app/plugins
# The data volume must belong to the unprivileged user the tracker runs as.
COPY --from=build --chown=65532:65532 /empty-data /data
ENV PORT=8096 \
    LISTEN_ADDRESS=0.0.0.0 \
    DATA_DIR=/data \
    LOCAL_FILES_DIR=/data/local \
    SAMPLES_DIR=/data/samples \
    PLUGINS_DIR=/app/plugins \
    DIST_DIR=/app/dist \
    LOG_LEVEL=info
EXPOSE 8096
# Saved state, OWLCMS's flags/logos/pictures; and plugins (a mounted folder hot-reloads).
VOLUME ["/data", "/app/plugins"]
USER 65532:65532
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 CMD ["/app/owlcms-tracker", "healthcheck"]
# Exec form: the tracker is PID 1 and handles SIGTERM/SIGINT itself (graceful shutdown).
ENTRYPOINT ["/app/owlcms-tracker"]
CMD ["serve"]
