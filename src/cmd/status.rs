//! `kplan status`: the reassignments in flight, as a table or JSON.

use serde_json::json;

use super::connect;
use super::render::tables;
use crate::cli::{OutputFormat, StatusArgs};
use kplan::exec;
use kplan::model::BrokerId;

pub fn run(a: &StatusArgs) -> anyhow::Result<u8> {
    let rows = connect::with_admin(&a.connection, async |admin| Ok(exec::status(admin).await?))?;
    if a.output == OutputFormat::Json {
        let ids = |v: &[BrokerId]| v.iter().map(|b| b.0).collect::<Vec<_>>();
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                json!({"topic": r.tp.topic, "partition": r.tp.partition, "replicas": ids(&r.ongoing.replicas),
                    "adding": ids(&r.ongoing.adding), "removing": ids(&r.ongoing.removing), "bytes_remaining": r.bytes_remaining})
            })
            .collect();
        println!("{}", json!({"reassignments": rows}));
        return Ok(0);
    }
    eprintln!("{}", tables::status_table(&rows));
    eprintln!("{} reassignment(s) in progress", rows.len());
    Ok(0)
}
