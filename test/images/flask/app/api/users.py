from flask import abort, request

from app import db
from app.api import bp
from app.models import Post, User


@bp.route("/users/<int:id>")
def get_user(id):
    return db.get_or_404(User, id).to_dict()


@bp.route("/users/<int:id>/posts", methods=["GET", "POST"])
def user_posts(id):
    found = db.get_or_404(User, id)
    if request.method == "POST":
        body = (request.get_json(silent=True) or {}).get("body")
        if not body:
            abort(400)
        post = Post(body=body, author=found)
        db.session.add(post)
        db.session.commit()
        return post.to_dict(), 201
    return {"items": [p.to_dict() for p in found.posts]}
