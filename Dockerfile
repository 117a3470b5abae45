# The bot's image: `python -m bot run` as an unprivileged user.
#
# Alone (`docker run --init -e BOT_TOKEN=… -v family-bot-data:/var/lib/family-bot/data IMAGE`)
# it is the embedded default: long polling, SQLite in /var/lib/family-bot/data. With
# WEBHOOK_URL, DATABASE_URL=postgresql://… and REDIS_URL it is one webhook worker of the
# scale-out: deploy/docker-compose.yml runs three of them behind nginx (README, "Deployment").
#
# No HEALTHCHECK here: in the default long-polling mode the bot listens on no port, so there
# is nothing to probe without an extra endpoint. deploy/docker-compose.yml checks the webhook
# workers, where there is a server to ask.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: a virtualenv with the locked dependencies and the project ------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
# The pinned, hash-checked versions first (this layer changes only with the lock file)…
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
# …then the project without dependencies, built by the locked setuptools (no isolated build
# environment fetching an unpinned one). data/ and seeds/ go into the wheel as bot/_data and
# bot/_seeds (setup.py); the store (data/*.sqlite3) is never copied (.dockerignore).
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY data ./data
COPY seeds ./seeds
RUN pip install --no-deps --no-build-isolation . && pip check

# --- runtime: the virtualenv only, no sources -------------------------------------------------
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /var/lib/family-bot \
        --shell /usr/sbin/nologin bot \
    && install -d -o bot -g bot -m 0700 /var/lib/family-bot /var/lib/family-bot/data
COPY --from=build /opt/venv /opt/venv
# The working folder has no `bot/` source in it (so `python -m bot` imports the installed
# package), and an installed package resolves the default DATABASE_URL=sqlite:///data/bot.sqlite3
# against it: /var/lib/family-bot/data/bot.sqlite3 — mount a volume there for SQLite.
WORKDIR /var/lib/family-bot
USER 10001:10001
# The webhook server (WEBHOOK_PORT); unused in long-polling mode.
EXPOSE 8080
CMD ["python", "-m", "bot", "run"]
