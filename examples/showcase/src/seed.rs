//! The demo data of the first start: an admin with a random password (printed once), a
//! customer, four categories, tags, forty products and their reviews.
//!
//! `quiver::Project` calls [`seed`] right after the first `migrate` of an empty database, so a
//! second start keeps whatever was changed since.

use quiver::auth::User;
use quiver::deps::chrono::Utc;
use quiver::deps::rust_decimal::Decimal;
use quiver::prelude::*;
use quiver::project::BoxError;

use crate::catalogue::slugify;
use crate::models::{Category, Product, Review, Tag};

/// A product of the demo: name, price in cents, summary.
type Item = (&'static str, i64, &'static str);

/// A shelf of the demo: name, description, and its ten products.
type Shelf = (&'static str, &'static str, [Item; 10]);

/// A tag of the demo: name, and which products (by their position, 0 to 39) wear it.
type TagRule = (&'static str, fn(usize) -> bool);

/// The shelves.
const CATALOGUE: [Shelf; 4] = [
    (
        "Books",
        "Novels, guides and cookbooks, new and second-hand.",
        [
            ("The Rust Programming Language", 3999, "The official book, in print."),
            (
                "Zero to Production",
                4450,
                "Backend development in Rust, from the first test to the deploy.",
            ),
            ("A Field Guide to Birds", 2495, "Eight hundred species, illustrated, pocket-sized."),
            (
                "The Bread Baker's Notebook",
                1899,
                "Sourdough, rye and flatbreads, one loaf at a time.",
            ),
            (
                "Designing Data-Intensive Applications",
                4999,
                "The big ideas behind reliable, scalable systems.",
            ),
            ("Short Walks by the Sea", 1550, "Thirty coastal walks under three hours."),
            ("The Little Book of Knots", 999, "Forty knots, each in four drawings."),
            ("Night Sky Atlas", 2799, "Star charts for every month of the year."),
            ("Soup for Every Season", 2150, "Fifty-two soups, one for every week."),
            ("Poems to Read Aloud", 1299, "A hundred poems that sound better spoken."),
        ],
    ),
    (
        "Kitchen",
        "Tools that last, for cooks of every level.",
        [
            ("Cast Iron Skillet", 4900, "Pre-seasoned, 26 cm, oven-safe; it will outlive you."),
            ("Chef's Knife", 8900, "20 cm blade of carbon steel, walnut handle."),
            ("Linen Tea Towels (set of 3)", 2400, "Stonewashed linen that dries fast."),
            ("Stoneware Mug", 1600, "Hand-glazed, 350 ml, dishwasher-safe."),
            ("Pour-Over Coffee Kit", 3900, "Ceramic dripper, glass carafe and 100 filters."),
            ("Wooden Spoon Trio", 1850, "Olive wood, three shapes for every pan."),
            ("Spice Jars (set of 12)", 2900, "Glass jars with cork lids and labels."),
            ("Bread Proofing Basket", 2100, "Rattan banneton for round loaves."),
            ("Enamel Dutch Oven", 12900, "5.5 litres, for stews, braises and bread."),
            ("Beeswax Food Wraps", 1500, "Three sizes, washable, plastic-free."),
        ],
    ),
    (
        "Outdoors",
        "For walks, camps and long days outside.",
        [
            (
                "Insulated Water Bottle",
                2900,
                "750 ml, keeps cold for a day and hot for twelve hours.",
            ),
            ("Trail Daypack", 6900, "22 litres, rain cover included."),
            ("Camping Lantern", 3400, "USB-rechargeable, three brightness levels."),
            ("Merino Beanie", 2700, "Soft, warm and not itchy."),
            ("Folding Camp Stool", 2200, "Weighs 600 g, holds 100 kg."),
            ("Pocket Binoculars", 8900, "8x25, fog-proof, with a neck strap."),
            ("Wool Picnic Blanket", 5900, "Waterproof backing, rolls up with a handle."),
            ("Headlamp", 2600, "300 lumens, red light mode, AAA batteries."),
            ("Enamel Camp Mug", 1200, "Light, tough, and fine on a stove."),
            ("Compact Rain Poncho", 1900, "Packs into its own pocket."),
        ],
    ),
    (
        "Stationery",
        "Paper, pens and desk things worth keeping.",
        [
            ("Dot Grid Notebook", 1800, "A5, 160 pages of 100 g paper, lies flat."),
            ("Fountain Pen", 3500, "Steel fine nib, converter and two cartridges."),
            ("Brass Pencil Sharpener", 900, "Heavy, precise, and it will not break."),
            ("Weekly Desk Planner", 1600, "Undated, 60 tear-off sheets."),
            ("Recycled Kraft Envelopes (50)", 750, "C6, for cards and letters."),
            ("Washi Tape Set", 1100, "Eight rolls in muted colours."),
            ("Desk Organiser", 3200, "Oak, with a pen tray and a phone stand."),
            ("Letterpress Greeting Cards", 1400, "Set of six, blank inside."),
            ("Graphite Pencils (12)", 850, "From 4H to 8B, cedar wood."),
            ("Leather Bookmark", 650, "Vegetable-tanned, ages well."),
        ],
    ),
];

/// The labels.
const TAGS: [TagRule; 6] = [
    ("Gift idea", |i| i % 3 == 0),
    ("Eco", |i| i % 5 == 1 || i == 19 || i == 39),
    ("Bestseller", |i| i % 7 == 2),
    ("New", |i| i >= 34 || i % 10 == 9),
    ("Handmade", |i| i % 4 == 3),
    ("On sale", |i| i % 9 == 4),
];

/// What reviewers write, by rating (1 to 5).
const REVIEWS: [&[&str]; 5] = [
    &["Broke within a week. Sent it back.", "Not as described, sadly."],
    &["It does the job, but I expected better for the price.", "Fine, but the finish is rough."],
    &["Decent. Nothing special.", "Good value, a few small flaws.", "Does what it says."],
    &[
        "Very good; I would buy it again.",
        "Solid and well made. Delivery was quick.",
        "Nicer than the pictures.",
    ],
    &[
        "Excellent. Exactly what I wanted.",
        "Lovely quality, and it arrived beautifully wrapped.",
        "Perfect gift, they loved it.",
        "Five stars without a doubt.",
    ],
];

/// How many rows the seed made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Categories.
    pub categories: usize,
    /// Tags.
    pub tags: usize,
    /// Products.
    pub products: usize,
    /// Reviews.
    pub reviews: usize,
}

/// A small deterministic generator: the same demo data at every first start.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        // Knuth's MMIX linear congruential generator.
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % sides
    }
}

/// Seeds the demo data and prints what it did, with the admin's password (once).
pub async fn seed(ctx: ProjectContext) -> Result<(), BoxError> {
    println!("Seeding demo data...");
    let auth = crate::auth(&ctx);
    let admin_password = quiver::security::random_token(16);
    let customer_password = quiver::security::random_token(16);
    let admin = auth.create_superuser("admin", "admin@example.com", &admin_password).await?;
    let customer = auth.create_user("alice", "alice@example.com", &customer_password).await?;
    let mut reviewers = vec![admin.clone(), customer.clone()];
    for name in ["bruno", "chiara", "dmitri"] {
        // Demo reviewers nobody logs in as: a random password they are never told.
        let password = quiver::security::random_token(24);
        let email = format!("{name}@example.com");
        reviewers.push(auth.create_user(name, &email, &password).await?);
    }
    let seeded = seed_catalogue(&ctx.db, &reviewers).await?;
    println!(
        "Seeding demo data: {} categories, {} tags, {} products, {} reviews",
        seeded.categories, seeded.tags, seeded.products, seeded.reviews
    );
    // Paths, not URLs: `runserver --bind` may choose another address than the setting.
    println!("Admin (/admin/): log in as admin / {admin_password}");
    println!("Shop (/): log in as customer alice / {customer_password}");
    println!("(The passwords are shown only now; `changepassword <user>` sets new ones.)");
    Ok(())
}

/// The categories, tags, products and reviews (by `reviewers`), in one transaction.
pub async fn seed_catalogue(db: &Db, reviewers: &[User]) -> quiver::orm::Result<Seeded> {
    let reviewers: Vec<i64> = reviewers.iter().map(|u| u.id.value()).collect();
    db.atomic(|tx| async move {
        let mut seeded = Seeded::default();
        let mut tags = Vec::new();
        for (name, _) in TAGS {
            let mut tag = Tag { id: Auto::new(), name: name.into(), slug: slugify(name) };
            tag.insert(&tx).await?;
            tags.push(tag);
        }
        seeded.tags = tags.len();
        let mut dice = Dice(42);
        let mut index = 0;
        for (name, description, products) in CATALOGUE {
            let mut category = Category {
                id: Auto::new(),
                name: name.into(),
                slug: slugify(name),
                description: description.into(),
                products: Reverse::new(),
            };
            category.insert(&tx).await?;
            seeded.categories += 1;
            for (name, cents, summary) in products {
                let mut product = Product {
                    id: Auto::new(),
                    name: name.into(),
                    slug: slugify(name),
                    description: format!(
                        "{summary}\n\nShips within two working days. Returns are free for 30 days."
                    ),
                    price: Decimal::new(cents, 2),
                    // Every seventh product is sold out, to show the filter and the badge.
                    stock: if index % 7 == 5 { 0 } else { 3 + dice.roll(40) as i32 },
                    category: ForeignKey::new(category.id.value()),
                    tags: ManyToMany::new(),
                    image: None,
                    created_at: Utc::now(),
                    reviews: Reverse::new(),
                };
                product.insert(&tx).await?;
                let mine: Vec<&Tag> = TAGS
                    .iter()
                    .zip(&tags)
                    .filter(|((_, has), _)| has(index))
                    .map(|(_, t)| t)
                    .collect();
                product.tags.add(&tx, mine).await?;
                // 0 to 3 reviews, from different reviewers, mostly good.
                let count = dice.roll(4) as usize;
                let first = dice.roll(reviewers.len() as u64) as usize;
                for n in 0..count {
                    let rating = [5, 4, 5, 3, 4, 2, 5, 1, 4, 5][dice.roll(10) as usize];
                    let bodies = REVIEWS[rating as usize - 1];
                    let mut review = Review {
                        id: Auto::new(),
                        product: ForeignKey::new(product.id.value()),
                        author: ForeignKey::new(reviewers[(first + n) % reviewers.len()]),
                        rating,
                        body: bodies[dice.roll(bodies.len() as u64) as usize].into(),
                        created_at: Utc::now(),
                    };
                    review.insert(&tx).await?;
                    seeded.reviews += 1;
                }
                seeded.products += 1;
                index += 1;
            }
        }
        Ok(seeded)
    })
    .await
}
