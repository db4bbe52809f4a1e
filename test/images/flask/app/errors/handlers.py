from flask import render_template, request

from app import db
from app.errors import bp


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/")


@bp.app_errorhandler(404)
def not_found(error):
    if wants_json():
        return {"error": "not found"}, 404
    return render_template("errors/404.html"), 404


@bp.app_errorhandler(400)
def bad_request(error):
    return {"error": "bad request"}, 400


@bp.app_errorhandler(500)
def internal_error(error):
    db.session.rollback()
    return render_template("errors/500.html"), 500
