"""Issue 10's load profile: 50 users mixing reads and writes on the Conduit API for 60 s.

    locust -f examples/conduit/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000

Each simulated user registers once, then browses (lists, filters, single articles, comments,
tags, profiles), writes articles and comments, favourites and follows. Every request is checked:
a wrong status or a body without its envelope counts as a failure.
"""

import random
import uuid

from locust import HttpUser, between, task

PASSWORD = "correct-horse-battery-9"


class Reader(HttpUser):
    wait_time = between(0.05, 0.2)

    def on_start(self):
        name = "load" + uuid.uuid4().hex[:12]
        body = {"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}}
        with self.client.post("/api/users", json=body, catch_response=True, name="register") as r:
            if r.status_code != 201:
                r.failure(f"register: {r.status_code} {r.text[:200]}")
                self.token = None
                return
            self.token = r.json()["user"]["token"]
        self.name = name
        self.slugs = []
        self.write_article()

    def headers(self):
        return {"Authorization": f"Token {self.token}"} if self.token else {}

    def expect(self, response, status, key):
        if response.status_code != status:
            response.failure(f"{response.status_code}: {response.text[:200]}")
        elif key and key not in response.json():
            response.failure(f"no {key!r} in the answer")
        else:
            response.success()

    @task(6)
    def list_articles(self):
        offset = random.choice([0, 0, 0, 20, 40])
        with self.client.get(f"/api/articles?limit=20&offset={offset}", headers=self.headers(),
                             catch_response=True, name="/api/articles") as r:
            self.expect(r, 200, "articles")
            if r.status_code == 200:
                self.slugs.extend(a["slug"] for a in r.json()["articles"][:3])
                self.slugs = self.slugs[-30:]

    @task(2)
    def by_tag(self):
        tag = random.choice(["rust", "web", "databases", "tests"])
        with self.client.get(f"/api/articles?tag={tag}", catch_response=True, name="/api/articles?tag") as r:
            self.expect(r, 200, "articlesCount")

    @task(4)
    def read_article(self):
        if not self.slugs:
            return
        slug = random.choice(self.slugs)
        with self.client.get(f"/api/articles/{slug}", headers=self.headers(), catch_response=True,
                             name="/api/articles/{slug}") as r:
            # Another user may have deleted nothing: articles are never deleted in this profile.
            self.expect(r, 200, "article")
        with self.client.get(f"/api/articles/{slug}/comments", catch_response=True,
                             name="/api/articles/{slug}/comments") as r:
            self.expect(r, 200, "comments")

    @task(2)
    def tags(self):
        with self.client.get("/api/tags", catch_response=True, name="/api/tags") as r:
            self.expect(r, 200, "tags")

    @task(2)
    def feed(self):
        if not self.token:
            return
        with self.client.get("/api/articles/feed", headers=self.headers(), catch_response=True,
                             name="/api/articles/feed") as r:
            self.expect(r, 200, "articles")

    @task(1)
    def write_article(self):
        if not self.token:
            return
        title = f"Notes on {random.choice(['Rust', 'SQL', 'HTTP'])} {uuid.uuid4().hex[:8]}"
        body = {"article": {"title": title, "description": "load test", "body": "text " * 50,
                            "tagList": random.sample(["rust", "web", "databases", "tests"], 2)}}
        with self.client.post("/api/articles", json=body, headers=self.headers(), catch_response=True,
                              name="POST /api/articles") as r:
            self.expect(r, 201, "article")
            if r.status_code == 201:
                self.slugs.append(r.json()["article"]["slug"])

    @task(1)
    def comment_and_favorite(self):
        if not self.token or not self.slugs:
            return
        slug = random.choice(self.slugs)
        with self.client.post(f"/api/articles/{slug}/comments", json={"comment": {"body": "Nice."}},
                              headers=self.headers(), catch_response=True,
                              name="POST /api/articles/{slug}/comments") as r:
            self.expect(r, 200, "comment")
        with self.client.post(f"/api/articles/{slug}/favorite", headers=self.headers(),
                              catch_response=True, name="POST /api/articles/{slug}/favorite") as r:
            self.expect(r, 200, "article")
            if r.status_code == 200:
                author = r.json()["article"]["author"]["username"]
                if author != self.name:
                    with self.client.post(f"/api/profiles/{author}/follow", headers=self.headers(),
                                          catch_response=True, name="POST /api/profiles/{u}/follow") as f:
                        self.expect(f, 200, "profile")
