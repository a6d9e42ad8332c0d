# syntax=docker/dockerfile:1
# huma: a multi-stage build. The builder compiles the dependencies in their
# own layer (rebuilt only when Cargo.toml or Cargo.lock change), then the
# server; the runtime image is debian:bookworm-slim with the one binary, run
# as an unprivileged user. Configuration is by environment (README table;
# `docker run … huma check-config` prints it with secrets masked).

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# Stub targets so `cargo build` compiles only the dependencies here.
RUN mkdir -p src/bin benches \
    && echo 'fn main() {}' > src/main.rs \
    && echo 'fn main() {}' > src/bin/huma-eval.rs \
    && echo 'fn main() {}' > benches/parse.rs \
    && touch src/lib.rs \
    && cargo build --release --locked --bin huma \
    && rm -rf src benches
COPY src ./src
COPY benches ./benches
COPY web ./web
COPY openapi.yaml ./
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin huma \
    && strip target/release/huma

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/huma --create-home huma
COPY --from=builder /src/target/release/huma /usr/local/bin/huma
USER 10001:10001
WORKDIR /var/lib/huma
ENV HUMA_LISTEN=0.0.0.0:8080 \
    HUMA_DATA_DIR=/var/lib/huma/data \
    RUST_LOG=info
EXPOSE 8080
VOLUME ["/var/lib/huma/data"]
# Slim images have no curl: the binary asks its own /healthz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["huma", "healthcheck"]
ENTRYPOINT ["huma"]
CMD ["serve"]
