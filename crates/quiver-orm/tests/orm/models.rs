//! The models every ORM test uses: every field type, every relation kind.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use quiver_orm::prelude::*;
use quiver_orm::{ModelMeta, choices};
use rust_decimal::Decimal;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Published,
}
choices!(Status as text { Draft = "draft", Published = "published" });

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Low,
    High,
}
choices!(Priority as int { Low = 1, High = 2 });

/// Someone who writes.
#[derive(Model, Debug, Clone)]
#[model(table = "orm_author", ordering = ["name"])]
pub struct Author {
    pub id: Auto<i64>,
    #[field(max_length = 50, unique)]
    pub name: String,
    #[field(max_length = 100)]
    pub email: Option<String>,
    #[field(via = "author")]
    pub articles: Reverse<Article>,
    #[field(via = "editor")]
    pub edited: Reverse<Article>,
}

#[derive(Model, Debug, Clone)]
#[model(table = "orm_tag")]
pub struct Tag {
    pub id: Auto<i64>,
    #[field(max_length = 30, unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone)]
#[model(table = "orm_article", index_together = [["status", "views"]])]
pub struct Article {
    pub id: Auto<i64>,
    #[field(max_length = 200)]
    pub title: String,
    pub body: String,
    #[field(default = 0)]
    pub views: i64,
    pub likes: i64,
    pub rating: f64,
    #[field(max_digits = 10, decimal_places = 2)]
    pub price: Decimal,
    pub published_on: Option<NaiveDate>,
    #[field(auto_now_add)]
    pub created_at: DateTime<Utc>,
    #[field(auto_now)]
    pub updated_at: DateTime<Utc>,
    #[field(on_delete = cascade)]
    pub author: ForeignKey<Author>,
    #[field(on_delete = set_null)]
    pub editor: Option<ForeignKey<Author>>,
    pub status: Status,
    pub tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone)]
#[model(table = "orm_profile")]
pub struct Profile {
    pub id: Auto<i64>,
    #[field(on_delete = cascade)]
    pub author: OneToOne<Author>,
    pub data: serde_json::Value,
    pub token: Uuid,
    pub avatar: Vec<u8>,
    pub wakes_at: NaiveTime,
    pub level: i16,
    pub score: i32,
    pub ratio: f32,
    pub active: bool,
    pub priority: Priority,
    pub born: chrono::NaiveDateTime,
}

/// A natural (text) primary key.
#[derive(Model, Debug, Clone)]
#[model(table = "orm_category")]
pub struct Category {
    #[field(primary_key, max_length = 20)]
    pub code: String,
    #[field(max_length = 50)]
    pub name: String,
}

#[derive(Model, Debug, Clone)]
#[model(table = "orm_item")]
pub struct Item {
    pub id: Auto<i64>,
    #[field(on_delete = protect)]
    pub category: ForeignKey<Category>,
}

#[derive(Model, Debug, Clone)]
#[model(table = "orm_note")]
pub struct Note {
    pub id: Auto<i64>,
    #[field(on_delete = restrict)]
    pub category: ForeignKey<Category>,
}

/// A UUID primary key.
#[derive(Model, Debug, Clone)]
#[model(table = "orm_ticket", unique_together = [["title", "seat"]])]
pub struct Ticket {
    #[field(primary_key)]
    pub id: Uuid,
    #[field(max_length = 50)]
    pub title: String,
    pub seat: i32,
    pub tags: ManyToMany<Tag>,
    /// Not a column: kept by refresh_from_db.
    #[field(skip)]
    pub note: Option<String>,
}

/// A tree: relations to its own type, and a raw identifier as a field name.
#[derive(Model, Debug, Clone)]
#[model(table = "orm_node")]
pub struct Node {
    pub id: Auto<i64>,
    #[field(max_length = 20)]
    pub r#type: String,
    #[field(on_delete = cascade)]
    pub parent: Option<ForeignKey<Self>>,
    pub links: ManyToMany<Self>,
    #[field(via = "parent")]
    pub children: Reverse<Self>,
}

/// Django's profile pattern: the one-to-one relation is the primary key.
#[derive(Model, Debug, Clone)]
#[model(table = "orm_bio")]
pub struct Bio {
    #[field(primary_key, on_delete = cascade)]
    pub author: OneToOne<Author>,
    pub text: String,
}

/// Only a database-filled key among the columns.
#[derive(Model, Debug, Clone)]
#[model(table = "orm_bare")]
pub struct Bare {
    pub id: Auto<i64>,
    pub tags: ManyToMany<Tag>,
}

/// A text key without a max_length, and a foreign key to it.
#[derive(Model, Debug, Clone)]
#[model(table = "orm_page")]
pub struct Page {
    #[field(primary_key)]
    pub slug: String,
}

#[derive(Model, Debug, Clone)]
#[model(table = "orm_link")]
pub struct Link {
    pub id: Auto<i64>,
    #[field(on_delete = cascade)]
    pub page: ForeignKey<Page>,
}

/// A group of authors, through an explicit membership model.
#[derive(Model, Debug, Clone)]
#[model(
    table = "orm_group",
    verbose_name = "team",
    check(name = "orm_group_size_positive", sql = "size >= 0")
)]
pub struct Group {
    pub id: Auto<i64>,
    #[field(max_length = 30)]
    pub name: String,
    /// How many seats the team has.
    #[field(default = 5)]
    pub size: i32,
    #[field(through = Membership)]
    pub members: ManyToMany<Author>,
    #[field(default = Uuid::new_v4())]
    pub token: Uuid,
}

#[derive(Model, Debug, Clone)]
#[model(table = "orm_membership", unique_together = [["group", "person"]])]
pub struct Membership {
    pub id: Auto<i64>,
    #[field(on_delete = cascade)]
    pub group: ForeignKey<Group>,
    #[field(on_delete = cascade)]
    pub person: ForeignKey<Author>,
    #[field(max_length = 20, help_text = "What they do")]
    pub role: String,
}

/// Pins fall back to the "misc" category, or stay pointing at a vanished one.
#[derive(Model, Debug, Clone)]
#[model(table = "orm_pin")]
pub struct Pin {
    pub id: Auto<i64>,
    #[field(on_delete = set_default, default = ForeignKey::new("misc"))]
    pub category: ForeignKey<Category>,
}

/// A model that also derives validator's `Validate`: full_clean runs those checks too.
#[derive(Model, validator::Validate, Debug, Clone)]
#[model(table = "orm_contact")]
pub struct Contact {
    pub id: Auto<i64>,
    #[validate(length(min = 2, max = 40))]
    pub name: String,
    #[validate(email)]
    #[field(max_length = 100)]
    pub email: String,
    #[validate(range(min = 0, max = 150))]
    pub age: i32,
}

pub fn all() -> Vec<&'static ModelMeta> {
    vec![
        Group::meta(),
        Membership::meta(),
        Pin::meta(),
        Author::meta(),
        Tag::meta(),
        Article::meta(),
        Profile::meta(),
        Category::meta(),
        Item::meta(),
        Note::meta(),
        Ticket::meta(),
        Node::meta(),
        Bio::meta(),
        Bare::meta(),
        Page::meta(),
        Link::meta(),
        Contact::meta(),
    ]
}

pub fn article(author: &Author, title: &str, views: i64) -> Article {
    Article {
        id: Auto::new(),
        title: title.into(),
        body: format!("Body of {title}"),
        views,
        likes: 0,
        rating: 0.0,
        price: Decimal::new(1999, 2),
        published_on: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        author: ForeignKey::new(author.id.value()),
        editor: None,
        status: Status::Draft,
        tags: ManyToMany::new(),
    }
}

pub fn author(name: &str) -> Author {
    Author {
        id: Auto::new(),
        name: name.into(),
        email: None,
        articles: Reverse::new(),
        edited: Reverse::new(),
    }
}
