from flask import flash, redirect, render_template, request, session, url_for

from app import db
from app.auth import bp
from app.models import User


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        name = request.form.get("username", "")
        found = db.session.scalar(db.select(User).where(User.username == name))
        if found is None or not found.check_password(request.form.get("password", "")):
            flash("Invalid username or password")
            return render_template("auth/login.html", title="Sign in"), 401
        session["user"] = found.username
        return redirect(url_for("main.user", username=found.username))
    return render_template("auth/login.html", title="Sign in")


@bp.route("/logout")
def logout():
    session.pop("user", None)
    return redirect(url_for("main.index"))
