from django.db import models


class Note(models.Model):
    title = models.CharField(max_length=100)
    body = models.TextField()
    pinned = models.BooleanField(default=False)

    def summary(self) -> str:
        if len(self.body) > 40:
            return self.body[:40] + "..."
        return self.body

    def to_dict(self) -> dict:
        return {"id": self.pk, "title": self.title, "pinned": self.pinned}
