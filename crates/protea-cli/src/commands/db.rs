//! `protea db …`

use crate::config::Config;
use crate::database::Database;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Apply pending migrations (starting the embedded database if needed).
    Migrate,
    /// Print the connection URL in use (the embedded cluster's included).
    Url,
}

pub(crate) async fn run(config: &Config, command: DbCommand) -> anyhow::Result<ExitCode> {
    let mut database = Database::from_config(config)?;
    match command {
        DbCommand::Url => println!("{}", database.url()),
        DbCommand::Migrate => {
            database.ensure_running().await?;
            let result = async {
                let pool = database.connect(2).await?;
                protea_store::migrate(&pool).await?;
                let applied: i64 =
                    sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
                        .fetch_one(&pool)
                        .await?;
                pool.close().await;
                anyhow::Ok(applied)
            }
            .await;
            database.stop_if_started()?;
            println!("{}: {} migrations applied", database.describe(), result?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
