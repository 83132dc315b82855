//! Demo data for `cargo xtask run`: Takasaki's 26 districts, loaded only into an empty
//! database so that a demo never overwrites real data.

use mimamori_core::districts::TAKASAKI_DISTRICTS;

use crate::storage::Storage;

pub async fn load(storage: &dyn Storage) -> anyhow::Result<()> {
    if !storage.list_districts().await?.is_empty() {
        tracing::info!("database already has districts: demo data not loaded");
        return Ok(());
    }
    let added = storage.ensure_districts(&TAKASAKI_DISTRICTS).await?;
    tracing::info!(added, "demo districts loaded");
    println!("mimamori-server: demo data loaded ({added} districts of Takasaki)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::SqliteStorage;

    #[tokio::test]
    async fn demo_loads_the_26_districts_once() {
        let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
        load(&storage).await.unwrap();
        load(&storage).await.unwrap();
        let districts = storage.list_districts().await.unwrap();
        assert_eq!(districts.len(), 26);
        assert_eq!(districts[0].name, "乗附");
        assert_eq!(districts[25].name, "新町");
    }
}
