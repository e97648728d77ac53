//! The product list, a product's page, and posting a review from it.

use quiver::Route;
use quiver::pages::{Messages, Page};
use quiver::prelude::*;

use crate::Media;
use crate::catalogue::{self, Ordering, ProductQuery};
use crate::models::{Product, Tag};

/// The home page's query string, read leniently: a hand-edited URL with a bad value shows
/// the default instead of an error (the API, for programs, answers 422).
#[derive(Debug, Default, Deserialize, JsonSchema, Validate)]
struct HomeQuery {
    q: Option<String>,
    category: Option<String>,
    tag: Option<String>,
    ordering: Option<String>,
    in_stock: Option<String>,
    page: Option<String>,
}

impl HomeQuery {
    fn products(&self) -> ProductQuery {
        fn nonempty(value: &Option<String>) -> Option<&str> {
            value.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        ProductQuery {
            q: nonempty(&self.q).map(|q| q.chars().take(100).collect()),
            category: nonempty(&self.category).map(str::to_owned),
            tag: nonempty(&self.tag).map(str::to_owned),
            ordering: Ordering::ALL
                .iter()
                .find(|(_, name, _)| Some(*name) == self.ordering.as_deref())
                .map(|(o, ..)| *o),
            in_stock: (self.in_stock.as_deref() == Some("true")).then_some(true),
            page: self.page.as_deref().and_then(|p| p.parse().ok()).filter(|p| *p >= 1),
            ..ProductQuery::default()
        }
    }
}

/// `/?q=...&category=...` for the query `query` (empty values left out).
fn link(query: &ProductQuery, page: Option<u64>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut push = |name, value: Option<String>| {
        if let Some(value) = value {
            pairs.push((name, value));
        }
    };
    push("q", query.q.clone());
    push("category", query.category.clone());
    push("tag", query.tag.clone());
    push("ordering", query.ordering.map(|o| o.as_str().to_owned()));
    push("in_stock", query.in_stock.map(|b| b.to_string()));
    push("page", page.filter(|p| *p > 1).map(|p| p.to_string()));
    if pairs.is_empty() {
        return "/".into();
    }
    format!("/?{}", serde_html_form::to_string(&pairs).unwrap_or_default())
}

/// The shop: products by category, searched, sorted and paged.
#[get("/", hidden)]
async fn home(
    page: Page,
    db: State<Db>,
    media: State<Media>,
    Query(raw): Query<HomeQuery>,
) -> Result<Html<String>> {
    let query = raw.products();
    let products = catalogue::product_page(&db, &media, &query).await?;
    let categories = catalogue::categories(&db).await?;
    let tag = match &query.tag {
        Some(slug) => {
            Tag::objects().filter(Tag::SLUG.eq(slug.as_str())).first(&*db).await.or_404()?
        }
        None => None,
    };
    let current = categories
        .iter()
        .find(|c| Some(&c.category.slug) == query.category.as_ref())
        .map(|c| c.category.clone());
    let shelves: Vec<serde_json::Value> = categories
        .iter()
        .map(|c| {
            let mut with = query.clone();
            with.category = Some(c.category.slug.clone());
            serde_json::json!({
                "name": c.category.name,
                "slug": c.category.slug,
                "product_count": c.product_count,
                "url": link(&with, None),
            })
        })
        .collect();
    let ordering = query.ordering.unwrap_or_default();
    let orderings: Vec<serde_json::Value> = Ordering::ALL
        .iter()
        .map(|(o, value, label)| {
            serde_json::json!({"value": value, "label": label, "selected": *o == ordering})
        })
        .collect();
    let all = ProductQuery { category: None, ..query.clone() };
    let links = serde_json::json!({
        "all": link(&all, None),
        "previous": (products.page > 1).then(|| link(&query, Some(products.page - 1))),
        "next": (products.page < products.pages).then(|| link(&query, Some(products.page + 1))),
    });
    page.render(
        "shop/home.html",
        context! {
            page => products,
            categories => shelves,
            category => current,
            tag,
            q => query.q,
            in_stock => query.in_stock == Some(true),
            orderings,
            links,
        },
    )
}

/// The review form's values and problems, for the product page.
#[derive(Debug, Default, Serialize)]
struct ReviewFormState {
    rating: Option<i16>,
    body: String,
    errors: std::collections::BTreeMap<&'static str, &'static str>,
}

/// The product page, with `form` as the review form.
async fn product_page(
    page: &Page,
    db: &Db,
    media: &Media,
    slug: &str,
    form: ReviewFormState,
) -> Result<Response> {
    let product = match catalogue::product_by_slug(db, media, slug).await {
        Ok(product) => product,
        Err(error) if error.status() == StatusCode::NOT_FOUND => {
            let html = page.render("shop/404.html", context! { what => "This product" })?;
            return Ok((StatusCode::NOT_FOUND, html).into_response());
        }
        Err(error) => return Err(error),
    };
    let reviews = catalogue::reviews_of(db, product.id).await?;
    let status =
        if form.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = page.render("shop/product.html", context! { product, reviews, form })?;
    Ok((status, html).into_response())
}

/// A product, its reviews and the review form.
#[get("/products/{slug}", hidden)]
async fn product(
    page: Page,
    db: State<Db>,
    media: State<Media>,
    #[path] slug: String,
) -> Result<Response> {
    product_page(&page, &db, &media, &slug, ReviewFormState::default()).await
}

/// The review form as posted; checked here so that problems show next to the fields.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
struct ReviewForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    body: String,
}

/// Posts a review (logged-in users), then shows the product again with a thank-you.
#[post("/products/{slug}/reviews", hidden)]
async fn post_review(
    page: Page,
    messages: Messages,
    db: State<Db>,
    media: State<Media>,
    #[path] slug: String,
    Form(posted): Form<ReviewForm>,
) -> Result<Response> {
    let Some(user) = page.user().cloned() else {
        let next = format!("/products/{slug}");
        let login = format!(
            "/accounts/login/?{}",
            serde_html_form::to_string([("next", next)]).unwrap_or_default()
        );
        return Ok(Redirect::to(&login).into_response());
    };
    let mut form = ReviewFormState {
        rating: posted.rating.trim().parse().ok().filter(|r| (1..=5).contains(r)),
        body: posted.body.trim().to_owned(),
        errors: Default::default(),
    };
    if form.rating.is_none() {
        form.errors.insert("rating", "Choose a rating from 1 to 5 stars.");
    }
    if form.body.is_empty() {
        form.errors.insert("body", "Write a few words about it.");
    } else if form.body.chars().count() > 2000 {
        form.errors.insert("body", "Keep it under 2000 characters.");
    }
    let found =
        Product::objects().filter(Product::SLUG.eq(slug.as_str())).first(&*db).await.or_404()?;
    let (Some(product), Some(rating), true) = (found, form.rating, form.errors.is_empty()) else {
        return product_page(&page, &db, &media, &slug, form).await;
    };
    catalogue::add_review(&db, product.id.value(), &user, rating, &form.body).await?;
    messages.success(format!("Thanks for your review of {}!", product.name));
    // The top of the page, where the flash message is (an explicit anchor: a browser would
    // otherwise keep the form's `#write-review`); the new review is first in the list.
    Ok(Redirect::to(&format!("/products/{slug}#main")).into_response())
}

pub(super) fn routes() -> Vec<Route> {
    routes![home, product, post_review]
}
