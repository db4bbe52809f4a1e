"""`flask init-db`: the boot script's migration and initial-data step."""

import click
from flask import Flask

from app import db
from app.models import Post, User

USERS = ("alice", "bob", "carol")


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Creates the tables and the initial users and posts, once."""
        db.create_all()
        if db.session.scalar(db.select(db.func.count(User.id))):
            click.echo("init-db: data present, nothing to do")
            return
        for name in USERS:
            user = User(username=name)
            user.set_password(name + "-pw")
            db.session.add(user)
            for n in range(4):
                db.session.add(Post(body="post %d by %s" % (n, name), author=user))
        db.session.commit()
        click.echo("init-db: %d users created" % len(USERS))
