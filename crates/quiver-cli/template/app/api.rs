//! The {{app}} app's JSON API, under `/api/{{app}}`.

use quiver::prelude::*;

use super::models::{{App}}Item as Item;

/// An item to add.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
// Its name in the OpenAPI document, where it must be unique in the project.
#[schemars(rename = "New{{App}}Item")]
pub struct NewItem {
    /// Its name.
    #[validate(length(min = 1, max = 100))]
    pub name: String,
}

/// Every item, by name.
#[get("/items")]
async fn list_items(db: State<Db>) -> Result<Json<Vec<Item>>> {
    Ok(Json(Item::objects().all(&*db).await.or_404()?))
}

/// Add an item.
#[post("/items")]
async fn create_item(db: State<Db>, Json(new): Json<NewItem>) -> Result<Created<Item>> {
    let mut item = Item {
        id: Auto::new(),
        name: new.name,
    };
    item.insert(&*db).await.or_404()?;
    Ok(Created::new(item))
}

/// The app's routes, under `/api/{{app}}` and with the `{{app}}` tag in the API docs.
pub fn router() -> Router {
    Router::new()
        .prefix("/api/{{app}}")
        .tag("{{app}}")
        .routes(routes![list_items, create_item])
}
