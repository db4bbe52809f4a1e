from django.urls import path

from notes import views

urlpatterns = [
    path("", views.note_list, name="list"),
    path("notes/<int:pk>/", views.note_detail, name="detail"),
    path("api/notes/", views.api_notes, name="api"),
    path("health", views.health, name="health"),
]
