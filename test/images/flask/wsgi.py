"""What gunicorn serves (`wsgi:app`) and what `flask --app wsgi` runs commands on."""

from app import create_app

app = create_app()
