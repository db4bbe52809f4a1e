import os

from flask import current_app, render_template, request

from app import db
from app.main import bp
from app.models import Post, User


@bp.route("/")
def index():
    page = request.args.get("page", 1, type=int)
    posts = db.paginate(db.select(Post).order_by(Post.id.desc()), page=page,
                        per_page=current_app.config["POSTS_PER_PAGE"], error_out=False)
    return render_template("index.html", title="Home", posts=posts)


@bp.route("/user/<username>")
def user(username):
    found = db.first_or_404(db.select(User).where(User.username == username))
    return render_template("user.html", user=found, posts=found.posts)


@bp.route("/health")
def health():
    return {"ok": True, "pid": os.getpid()}
