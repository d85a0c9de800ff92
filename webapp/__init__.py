"""The reviewers' web app: FastAPI, server-rendered Jinja2 pages and a little vanilla JavaScript."""
