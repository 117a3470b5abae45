"""Numbered schema migrations; `PRAGMA user_version` holds the number applied.

Append a new entry to MIGRATIONS to change the schema; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE articles (
        id           INTEGER PRIMARY KEY,
        title        TEXT NOT NULL,
        published    TEXT,                     -- ISO date, NULL when the article has none
        source_url   TEXT,
        places       TEXT NOT NULL DEFAULT '[]',  -- JSON list of normalised place names
        summary      TEXT NOT NULL DEFAULT '',
        body         TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        origin       TEXT NOT NULL,            -- 'seed:<file>', 'ingest:<file>', 'admin:<id>'
        fmt          TEXT NOT NULL DEFAULT 'txt',
        created_at   TEXT NOT NULL
    );
    CREATE TABLE cards (
        id     TEXT PRIMARY KEY,
        title  TEXT NOT NULL,
        data   TEXT NOT NULL,                  -- the card as JSON, as written in data/cards.toml
        as_of  TEXT,
        source TEXT
    );
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        title       TEXT NOT NULL,
        start_date  TEXT NOT NULL,
        end_date    TEXT NOT NULL,
        start_time  TEXT,
        place       TEXT,
        sentence    TEXT NOT NULL,
        status      TEXT NOT NULL              -- 'announce' | 'report'
    );
    CREATE INDEX events_by_start ON events(start_date);
    CREATE INDEX events_by_article ON events(article_id);
    CREATE TABLE subscriptions (
        id         INTEGER PRIMARY KEY,
        chat_id    INTEGER NOT NULL,
        topic      TEXT NOT NULL DEFAULT '',   -- '' = every event; else a place or a kind
        active     INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        UNIQUE (chat_id, topic)
    );
    CREATE TABLE outbox (
        id         INTEGER PRIMARY KEY,
        chat_id    INTEGER NOT NULL,
        text       TEXT NOT NULL,
        markup     TEXT,                       -- reply_markup as JSON
        dedupe_key TEXT NOT NULL UNIQUE,       -- makes every notification once-only
        event_id   INTEGER REFERENCES events(id) ON DELETE CASCADE,
        status     TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed | dropped
        attempts   INTEGER NOT NULL DEFAULT 0,
        not_before REAL NOT NULL DEFAULT 0,   -- unix time before which it must not be sent
        error      TEXT,
        created_at TEXT NOT NULL,
        sent_at    TEXT
    );
    CREATE INDEX outbox_pending ON outbox(status, not_before);
    CREATE TABLE query_log (                   -- no user ids here, by design (privacy)
        id     INTEGER PRIMARY KEY,
        ts     TEXT NOT NULL,
        text   TEXT NOT NULL,
        intent TEXT NOT NULL,
        found  INTEGER NOT NULL
    );
    CREATE INDEX query_log_ts ON query_log(ts);
    CREATE TABLE crisis_counter (              -- crisis messages are counted, never stored
        day   TEXT PRIMARY KEY,
        count INTEGER NOT NULL
    );
    CREATE TABLE audit (
        id       INTEGER PRIMARY KEY,
        ts       TEXT NOT NULL,
        admin_id INTEGER NOT NULL,
        action   TEXT NOT NULL,
        detail   TEXT NOT NULL DEFAULT ''
    );
    CREATE VIRTUAL TABLE search_index USING fts5(
        title, body, doc UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 0'
    );
    CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_index, 'row');
    """,
    # 2: who published the article when there is no link («Источник: Министерство …»)
    """
    ALTER TABLE articles ADD COLUMN source_name TEXT;
    """,
    # 3: document frequencies kept by the store, so start-up reads a small table instead of
    #    scanning the whole FTS index through fts5vocab (0.7 s at 100k articles)
    """
    CREATE TABLE term_df (
        term TEXT PRIMARY KEY,
        df   INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO term_df(term, df) SELECT term, doc FROM search_vocab;
    """,
    # 4: what the last answer in a chat was about, so «а когда?» is answered about it
    #    (kept for minutes, so it survives a restart; no text of the person is stored)
    """
    CREATE TABLE chat_context (
        chat_id  INTEGER PRIMARY KEY,
        subject  TEXT NOT NULL,               -- 'a:<id>', 'c:<card>', 'e:<event id>'
        saved_at REAL NOT NULL                -- unix time
    );
    """,
    # 5: notifications queued as data (which notice, which event), rendered when sent, so
    #    the outbox holds no HTML and the wording can change while items wait
    """
    ALTER TABLE outbox ADD COLUMN notice TEXT;    -- 'new' | 'remind'; NULL: `text` as is
    """,
    # 6: conversations handed to a person (SUPPORT_CHAT_ID): «Обращение №id», the forum
    #    topic when the support chat has topics, and which relayed message belongs to which
    #    conversation (a specialist may answer by replying to it). No names are stored unless
    #    the person chose to share them; none of the conversation's text is stored at all.
    """
    CREATE TABLE handoffs (
        id             INTEGER PRIMARY KEY,
        chat_id        INTEGER NOT NULL,
        thread_id      INTEGER,
        status         TEXT NOT NULL DEFAULT 'open',   -- open | closed
        shared_name    TEXT,
        opened_at      REAL NOT NULL,
        first_reply_at REAL,
        closed_at      REAL
    );
    CREATE UNIQUE INDEX handoffs_open_chat ON handoffs(chat_id) WHERE status = 'open';
    CREATE INDEX handoffs_thread ON handoffs(thread_id);
    CREATE TABLE handoff_messages (
        support_message_id INTEGER PRIMARY KEY,
        handoff_id         INTEGER NOT NULL REFERENCES handoffs(id) ON DELETE CASCADE
    );
    """,
    # 7: ratings of answers, the editors' queue and editors.
    #    `answers`: each article or card answer as given (what it showed, the question as the
    #    query log keeps it: redacted; pruned with the query log), so a 👍/👎 names its answer
    #    by id. `ratings`: one per person per answer; `rater` is a keyed hash of the person and
    #    the answer together (never the Telegram id, and one person's ratings cannot be linked
    #    to each other). `learned_phrases`: wordings an editor linked to a document (the
    #    search puts it first). `review_handled`: queue groups marked handled, up to which
    #    query-log row and rating time. `editors`: who may do what admins do, except manage
    #    editors (owners are ADMIN_IDS).
    """
    CREATE TABLE answers (
        id       INTEGER PRIMARY KEY,
        doc      TEXT NOT NULL,               -- DocRef text: 'a:<id>' | 'c:<card>'
        question TEXT NOT NULL DEFAULT '',    -- redacted; '' when opened by a button
        ts       REAL NOT NULL                -- unix time
    );
    CREATE INDEX answers_ts ON answers(ts);
    CREATE TABLE ratings (
        answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
        rater     TEXT NOT NULL,
        value     INTEGER NOT NULL,           -- 1 👍, -1 👎
        reason    TEXT,                       -- 👎 only: wrong | old | unclear | other
        ts        REAL NOT NULL,
        PRIMARY KEY (answer_id, rater)
    ) WITHOUT ROWID;
    CREATE INDEX ratings_value ON ratings(value, ts);
    CREATE TABLE learned_phrases (
        phrase     TEXT PRIMARY KEY,          -- the wording's key (bot.search.phrases)
        doc        TEXT NOT NULL,
        wording    TEXT NOT NULL,             -- as the editor saw it
        created_at TEXT NOT NULL
    );
    CREATE TABLE review_handled (
        phrase   TEXT PRIMARY KEY,
        query_id INTEGER NOT NULL,            -- query-log rows up to this id are handled
        rated_at REAL NOT NULL                -- 👎 up to this time are handled
    );
    CREATE TABLE editors (
        user_id  INTEGER PRIMARY KEY,
        added_by INTEGER NOT NULL,
        added_at TEXT NOT NULL
    );
    """,
    # 8: the region a person chose (/region), as a region name from data/places.toml —
    #    never coordinates; deleted by /forget
    """
    CREATE TABLE chat_regions (
        chat_id INTEGER PRIMARY KEY,
        region  TEXT NOT NULL,
        set_at  TEXT NOT NULL
    );
    """,
    # 9: the directory of centres (/centres): the rows admins uploaded, by region, and the
    #    uploads themselves — 'pending' ones keep their good rows (JSON) until «Сохранить N
    #    верных строк» is pressed or a day passes; 'saved' ones keep only who, what and when
    """
    CREATE TABLE centre_uploads (
        id         INTEGER PRIMARY KEY,
        admin_id   INTEGER NOT NULL,
        filename   TEXT NOT NULL,
        status     TEXT NOT NULL,              -- 'pending' | 'saved'
        rows       TEXT NOT NULL DEFAULT '[]', -- JSON of the good rows while pending
        created_at REAL NOT NULL               -- unix time
    );
    CREATE TABLE centres (
        id        INTEGER PRIMARY KEY,
        region    TEXT NOT NULL,               -- a region name of data/places.toml
        city      TEXT NOT NULL,
        kind      TEXT NOT NULL,
        name      TEXT NOT NULL,
        address   TEXT NOT NULL,
        phones    TEXT NOT NULL DEFAULT '',
        hours     TEXT NOT NULL DEFAULT '',
        site      TEXT NOT NULL DEFAULT '',
        lat       REAL,                        -- both or neither
        lon       REAL,
        upload_id INTEGER NOT NULL REFERENCES centre_uploads(id)
    );
    CREATE INDEX centres_region ON centres(region);
    """,
    # 10: announcements admins send (/broadcast): the text as written, the audience asked
    #     for (a region name, a subscription topic — NULL: not limited) and where it stands
    #     (draft → sending → done, or cancelled). Recipients are not listed here: each is an
    #     outbox row with the dedupe key 'broadcast:<id>:<chat>', once-only across restarts.
    """
    CREATE TABLE broadcasts (
        id         INTEGER PRIMARY KEY,
        admin_id   INTEGER NOT NULL,
        text       TEXT NOT NULL,
        region     TEXT,
        topic      TEXT,
        status     TEXT NOT NULL DEFAULT 'draft',  -- draft | sending | done | cancelled
        recipients INTEGER NOT NULL DEFAULT 0,      -- queued when «Отправить» was pressed
        created_at TEXT NOT NULL,
        sent_at    TEXT
    );
    """,
    # 11: several senders drain one outbox (scale-out): a row is claimed by one sender for
    #     a lease, and is 'sending' while its request is out (see bot.store.base.Outbox)
    """
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE outbox ADD COLUMN claimed_until REAL NOT NULL DEFAULT 0;
    """,
    # 12: ids never come back. SQLite gives a new row the largest id in use + 1, so deleting
    #     the newest article, answer or /centres upload handed its id to the next one: the
    #     deleted article's learned wordings led to the new article, an old 👍 rated a new
    #     answer, an expired upload's «Сохранить» saved a newer upload. The highest id ever
    #     given is kept here (`_reserve_id`), starting from today's.
    """
    CREATE TABLE id_floor (
        tbl  TEXT PRIMARY KEY,
        last INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO id_floor SELECT 'articles', coalesce(max(id), 0) FROM articles;
    INSERT INTO id_floor SELECT 'answers', coalesce(max(id), 0) FROM answers;
    INSERT INTO id_floor SELECT 'centre_uploads', coalesce(max(id), 0) FROM centre_uploads;
    """,
    # 13: events by end date: «what's coming» reads the events not yet over, a few thousand
    #     of 130k at 100k articles, instead of scanning every past one in start order
    #     (events_from 260 → 26 ms, events_before 157 → 2.5 ms there)
    """
    CREATE INDEX events_by_end ON events(end_date);
    """,
]
