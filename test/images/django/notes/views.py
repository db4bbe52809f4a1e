import json
import os

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt

from notes.models import Note


def note_list(request):
    notes = Note.objects.order_by("-pinned", "id")
    return render(request, "notes/list.html", {"notes": notes, "title": "Notes"})


def note_detail(request, pk):
    note = get_object_or_404(Note, pk=pk)
    return render(request, "notes/detail.html", {"note": note, "title": note.title})


@csrf_exempt
def api_notes(request):
    if request.method == "POST":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return HttpResponseBadRequest("not JSON")
        if not data.get("title"):
            return HttpResponseBadRequest("title is required")
        note = Note.objects.create(title=data["title"], body=data.get("body", ""))
        return JsonResponse(note.to_dict(), status=201)
    return JsonResponse({"items": [n.to_dict() for n in Note.objects.all()]})


def health(request):
    return JsonResponse({"ok": True, "pid": os.getpid()})
