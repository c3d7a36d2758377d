"""HTTP: inspection teams, inspections at the stall (from a phone), findings and photos.

Everything here asks for Right.INSPECT (inspectors and organizers); organizers alone hold
Right.MANAGE_INSPECTIONS: they form teams, plan and cancel inspections and lift suspensions.
An inspector sees and records only the inspections of teams they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from core.errors import AppError, request_language
from core.guards import current_principal, requires
from core.roles import Right
from inspections import findings, photos, services, teams
from inspections.checklist import (
    CHECKLIST,
    FOLLOW_UP_LABELS,
    PLACE_KIND_LABELS,
    SEVERITY_LABELS,
    VIOLATION_KINDS,
    label,
)
from inspections.schemas import (
    AnswerIn,
    ChecklistItemOut,
    FindingIn,
    FindingOut,
    FollowUpIn,
    InspectionIn,
    InspectionOut,
    InspectionSummary,
    MemberIn,
    NotesIn,
    PhotoOut,
    ReasonIn,
    TeamIn,
    TeamOut,
    TeamPatch,
)
from inspections.tables import FollowUp, InspectionStatus

INSPECT = [requires(Right.INSPECT)]
MANAGE = [requires(Right.MANAGE_INSPECTIONS)]


class TeamController(Controller):
    tags = ["inspections"]

    @get(
        "/api/inspection-teams",
        guards=INSPECT,
        summary="Inspection teams (an inspector: their own)",
    )
    async def list_teams(self, request: Request[Any, Any, Any]) -> list[TeamOut]:
        return await teams.list_teams(current_principal(request))

    @post("/api/inspection-teams", guards=MANAGE, summary="Form a team, with its members by e-mail")
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[TeamIn]) -> TeamOut:
        return await teams.create_team(current_principal(request), data)

    @get("/api/inspection-teams/{team_id:int}", guards=INSPECT, summary="One team and its members")
    async def detail(self, request: Request[Any, Any, Any], team_id: FromPath[int]) -> TeamOut:
        principal = current_principal(request)
        if not principal.can(Right.MANAGE_INSPECTIONS) and not await teams.is_member(
            principal.user_id, team_id
        ):
            raise AppError(
                403, "Bạn không thuộc đoàn kiểm tra này.", "You are not a member of this team."
            )
        return await teams.team_out(team_id)

    @patch(
        "/api/inspection-teams/{team_id:int}",
        guards=MANAGE,
        summary="Rename a team, or stand it down",
    )
    async def update(
        self, request: Request[Any, Any, Any], team_id: FromPath[int], data: JSONBody[TeamPatch]
    ) -> TeamOut:
        return await teams.update_team(current_principal(request), team_id, data)

    @post(
        "/api/inspection-teams/{team_id:int}/members",
        guards=MANAGE,
        summary="Add a member (inspector or organizer)",
    )
    async def add_member(
        self, request: Request[Any, Any, Any], team_id: FromPath[int], data: JSONBody[MemberIn]
    ) -> TeamOut:
        return await teams.add_member(current_principal(request), team_id, data)

    @delete(
        "/api/inspection-teams/{team_id:int}/members/{user_id:int}",
        guards=MANAGE,
        status_code=200,
        summary="Remove a member",
    )
    async def remove_member(
        self, request: Request[Any, Any, Any], team_id: FromPath[int], user_id: FromPath[int]
    ) -> TeamOut:
        return await teams.remove_member(current_principal(request), team_id, user_id)


@dataclass
class PhotoUpload:
    file: UploadFile
    item: str | None = None


class InspectionController(Controller):
    tags = ["inspections"]

    @get(
        "/api/inspections/checklist",
        guards=INSPECT,
        summary="The checklist and the kinds of violation",
    )
    async def vocabulary(self, request: Request[Any, Any, Any]) -> dict[str, dict[str, str]]:
        language = request_language(request)
        return {
            name: {key: label(labels, key, language) for key in labels}
            for name, labels in (
                ("checklist", CHECKLIST),
                ("violation_kinds", VIOLATION_KINDS),
                ("severities", SEVERITY_LABELS),
                ("follow_ups", FOLLOW_UP_LABELS),
                ("place_kinds", PLACE_KIND_LABELS),
            )
        }

    @get(
        "/api/inspections",
        guards=INSPECT,
        summary="Inspections (an inspector: those of their teams)",
    )
    async def list_inspections(
        self,
        request: Request[Any, Any, Any],
        fair: FromQuery[int | None] = None,
        status: FromQuery[InspectionStatus | None] = None,
        ward: FromQuery[str | None] = None,
        team: FromQuery[int | None] = None,
        business: FromQuery[int | None] = None,
    ) -> list[InspectionSummary]:
        return await services.list_inspections(
            current_principal(request),
            fair_id=fair,
            status=status.value if status else None,
            ward_slug=ward,
            team_id=team,
            business_id=business,
        )

    @post(
        "/api/inspections",
        guards=INSPECT,
        summary="Plan an inspection (organizers) or open a surprise one on the spot (its team)",
    )
    async def open(
        self, request: Request[Any, Any, Any], data: JSONBody[InspectionIn]
    ) -> InspectionSummary:
        return await services.open_inspection(current_principal(request), data)

    @get(
        "/api/inspections/{inspection_id:int}",
        guards=INSPECT,
        summary="An inspection with its checklist",
    )
    async def detail(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int]
    ) -> InspectionOut:
        return await services.detail(
            current_principal(request), inspection_id, request_language(request)
        )

    @patch(
        "/api/inspections/{inspection_id:int}",
        guards=INSPECT,
        summary="Write the inspection's notes",
    )
    async def notes(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int], data: JSONBody[NotesIn]
    ) -> InspectionSummary:
        return await services.set_notes(current_principal(request), inspection_id, data.notes)

    @post(
        "/api/inspections/{inspection_id:int}/start",
        guards=INSPECT,
        status_code=200,
        summary="Start",
    )
    async def start(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int]
    ) -> InspectionSummary:
        return await services.start(current_principal(request), inspection_id)

    @put(
        "/api/inspections/{inspection_id:int}/checklist/{item:str}",
        guards=INSPECT,
        summary="Answer one checklist item (sending it again changes nothing)",
    )
    async def answer(
        self,
        request: Request[Any, Any, Any],
        inspection_id: FromPath[int],
        item: FromPath[str],
        data: JSONBody[AnswerIn],
    ) -> ChecklistItemOut:
        return await services.answer(current_principal(request), inspection_id, item, data)

    @post(
        "/api/inspections/{inspection_id:int}/photos",
        guards=INSPECT,
        summary="Add a photo (JPEG or PNG, 8 MB at most), of the whole or of one item",
    )
    async def upload_photo(
        self,
        request: Request[Any, Any, Any],
        inspection_id: FromPath[int],
        data: MultipartBody[PhotoUpload],
    ) -> PhotoOut:
        principal = current_principal(request)
        row = await services.accessible(principal, inspection_id)
        services.require_status(row, InspectionStatus.IN_PROGRESS)
        content = await data.file.read(photos.MAX_PHOTO_BYTES + 1)
        return await photos.store_photo(
            principal.user_id, inspection_id, data.item or None, content
        )

    @post(
        "/api/inspections/{inspection_id:int}/findings", guards=INSPECT, summary="Record a finding"
    )
    async def add_finding(
        self,
        request: Request[Any, Any, Any],
        inspection_id: FromPath[int],
        data: JSONBody[FindingIn],
    ) -> FindingOut:
        return await findings.add_finding(current_principal(request), inspection_id, data)

    @post(
        "/api/inspections/{inspection_id:int}/complete",
        guards=INSPECT,
        status_code=200,
        summary="Complete (every item answered; a failed item has a finding or a note)",
    )
    async def complete(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int]
    ) -> InspectionSummary:
        return await services.complete(current_principal(request), inspection_id)

    @post(
        "/api/inspections/{inspection_id:int}/cancel",
        guards=MANAGE,
        status_code=200,
        summary="Cancel",
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        inspection_id: FromPath[int],
        data: JSONBody[ReasonIn],
    ) -> InspectionSummary:
        return await services.cancel(current_principal(request), inspection_id, data.reason)

    @get(
        "/api/inspections/photos/{photo_id:int}",
        guards=INSPECT,
        summary="A photo (inspectors of its team)",
    )
    async def photo(
        self, request: Request[Any, Any, Any], photo_id: FromPath[int]
    ) -> Response[bytes]:
        row = await photos.find_photo(photo_id)
        await services.accessible(current_principal(request), row["inspection"])
        return Response(
            photos.read_photo(row),
            media_type=row["content_type"],
            headers={"x-content-type-options": "nosniff", "cache-control": "private, no-store"},
        )

    @get(
        "/api/inspections/findings",
        guards=INSPECT,
        summary="Findings (filter: follow_up, business, open)",
    )
    async def list_findings(
        self,
        request: Request[Any, Any, Any],
        follow_up: FromQuery[FollowUp | None] = None,
        business: FromQuery[int | None] = None,
        open_suspensions: FromQuery[bool] = False,
    ) -> list[FindingOut]:
        return await findings.list_findings(
            current_principal(request),
            follow_up=follow_up.value if follow_up else None,
            business_id=business,
            open_suspensions=open_suspensions,
            language=request_language(request),
        )

    @post(
        "/api/inspections/findings/{finding_id:int}/follow-up",
        guards=INSPECT,
        status_code=200,
        summary="Decide a finding's follow-up: warning, suspension (lead) or referral",
    )
    async def follow_up(
        self, request: Request[Any, Any, Any], finding_id: FromPath[int], data: JSONBody[FollowUpIn]
    ) -> FindingOut:
        return await findings.set_follow_up(current_principal(request), finding_id, data)

    @post(
        "/api/inspections/findings/{finding_id:int}/lift",
        guards=MANAGE,
        status_code=200,
        summary="Lift a suspension: the business is reinstated",
    )
    async def lift(
        self, request: Request[Any, Any, Any], finding_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> FindingOut:
        return await findings.lift(current_principal(request), finding_id, data.reason)
