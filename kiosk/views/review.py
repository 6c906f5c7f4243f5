"""Volunteers' review on site: inbox, submission pages, statuses, notes, follow-up of needs."""

from flask import Blueprint, render_template

from ..auth import login_required
from ..models import Submission

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@login_required
def inbox():
    submissions = Submission.select().order_by(Submission.created_at.desc()).limit(50)
    return render_template("review/inbox.html", submissions=submissions)
