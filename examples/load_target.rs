//! Bench-only server for `benches/load.sh`: the same handler (extracts the body bytes,
//! returns 200) on two routes of one server, `/plain` without verification and
//! `/webhooks/peopleforce` behind the PeopleForce verifier, on one worker thread.
//!
//! Run with: `WEBHOOK_SECRET=... PORT=3000 cargo run --release --example load_target -- axum`
//! (or `-- actix`). Not a template for production: `/plain` is deliberately unprotected so
//! the load benchmark can compare both arms on the same server.

use std::process::ExitCode;

use hookguard::{Provider, Secret, Verifier};

fn verifier() -> Result<Verifier, String> {
    let secret = Secret::from_env("WEBHOOK_SECRET").map_err(|error| error.to_string())?;
    Verifier::new(Provider::PeopleForce, secret).map_err(|error| error.to_string())
}

fn port() -> Result<u16, String> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    port.trim()
        .parse()
        .map_err(|_| format!("PORT must be a port number, got {port:?}"))
}

mod axum_target {
    use axum::body::Bytes;
    use axum::http::StatusCode;
    use axum::routing::post;
    use axum::Router;
    use hookguard::Verifier;
    use hookguard_tower::VerifySignatureLayer;

    async fn handler(body: Bytes) -> StatusCode {
        std::hint::black_box(body);
        StatusCode::OK
    }

    pub(crate) fn run(verifier: Verifier, port: u16) -> std::io::Result<()> {
        let app = Router::new()
            .route("/webhooks/peopleforce", post(handler))
            .layer(VerifySignatureLayer::new(verifier))
            .merge(Router::new().route("/plain", post(handler)));
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
                println!("listening on http://127.0.0.1:{port}");
                axum::serve(listener, app).await
            })
    }
}

mod actix_target {
    use actix_web::{web, App, HttpResponse, HttpServer};
    use hookguard::Verifier;
    use hookguard_actix::VerifySignature;

    async fn handler(body: web::Bytes) -> HttpResponse {
        std::hint::black_box(body);
        HttpResponse::Ok().finish()
    }

    pub(crate) fn run(verifier: Verifier, port: u16) -> std::io::Result<()> {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                App::new()
                    .service(
                        web::resource("/webhooks/peopleforce")
                            .wrap(VerifySignature::new(verifier.clone()))
                            .route(web::post().to(handler)),
                    )
                    .route("/plain", web::post().to(handler))
            })
            .workers(1)
            .bind(("127.0.0.1", port))?;
            println!("listening on http://127.0.0.1:{port}");
            server.run().await
        })
    }
}

fn main() -> ExitCode {
    let setup = || -> Result<(Verifier, u16), String> { Ok((verifier()?, port()?)) };
    let (verifier, port) = match setup() {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let result = match std::env::args().nth(1).as_deref() {
        Some("axum") => axum_target::run(verifier, port),
        Some("actix") => actix_target::run(verifier, port),
        _ => {
            eprintln!("usage: load_target axum|actix");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
