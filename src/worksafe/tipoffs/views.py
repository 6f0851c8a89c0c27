"""Tip-off pages: the public filing and receipt pages (no login, no JavaScript needed), and the
officers' list, entry, case page and actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.services import ServiceError
from worksafe.core.views import (
    ScopedDetailView,
    ScopedFileView,
    ScopedListView,
    ScopedMixin,
    rendered_sections,
)
from worksafe.enterprises.models import Enterprise

from . import crypto, ratelimit, services
from .filters import TipOffFilter
from .forms import (
    AnswerForm,
    AskForm,
    ClaimForm,
    FileForm,
    HazardForm,
    RateForm,
    RevealForm,
    RewardProposeForm,
)
from .models import Reward, TipOff, TipOffFile
from .tables import TipOffTable

# ---------------------------------------------------------------- public pages (no login)

NEUTRAL = "未找到与该回执码对应的举报。请核对回执码;多次输入错误将被暂时限制查询。"
LIMITED = "查询过于频繁,请稍后再试。"


def enterprise_names(q: str = "", township=None, limit: int = 10) -> list[str]:
    """Operating enterprises whose name contains ``q`` (at least 2 characters), for the form's
    <datalist> — filled server-side when the reporter asks (查找), so the page needs no JavaScript and
    never lists the whole register to an anonymous visitor."""
    q = (q or "").strip()[:50]
    if len(q) < 2:
        return []
    qs = Enterprise.objects.filter(status=Enterprise.Status.OPERATING, name__icontains=q)
    if township:
        qs = qs.filter(township_id=township)
    return list(qs.order_by("name").values_list("name", flat=True)[:limit])


def _form_context(form, lookup: bool = False):
    ctx = {"form": form, "enterprise_names": []}
    if lookup:
        township = form.data.get("township")
        township = int(township) if str(township or "").isdigit() and len(str(township)) < 10 else None
        ctx["enterprise_names"] = enterprise_names(form.data.get("enterprise_name", ""), township)
        ctx["looked_up"] = True
    return ctx


@method_decorator(login_not_required, name="dispatch")
class PublicFile(View):
    """举报: the public form. The receipt is shown once, in the answer to the POST (never in a URL,
    a cookie or the session)."""

    template_name = "tipoffs/public_file.html"

    def get(self, request):
        return render(request, self.template_name, _form_context(FileForm()))

    def post(self, request):
        form = FileForm(request.POST, request.FILES)
        if request.POST.get("lookup"):  # 查找: the typed form again, with the register's matching names
            return render(request, self.template_name, _form_context(FileForm(request.POST), lookup=True))
        if ratelimit.blocked("file", request):
            form.is_valid()
            return render(
                request,
                self.template_name,
                {**_form_context(form), "error": "提交过于频繁,请稍后再试。"},
                status=429,
            )
        if form.is_valid():
            d = form.cleaned_data
            try:
                t, receipt = services.file_tipoff(
                    category=d["category"],
                    description=d["description"],
                    township=d["township"],
                    enterprise_name=d["enterprise_name"],
                    place=d["place"],
                    when=d["when"],
                    name=d["name"],
                    phone=d["phone"],
                    employee=d["employee"],
                    files=request.FILES.getlist("files"),
                )
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                ratelimit.hit("file", request)
                return render(
                    request, "tipoffs/receipt.html", {"tipoff": t, "receipt": crypto.display(receipt)}
                )
        return render(request, self.template_name, _form_context(form), status=400)


@method_decorator(login_not_required, name="dispatch")
class PublicTrack(View):
    """查询办理情况: the receipt opens its case — the code is posted (never in a URL) with every
    action (open, answer, rate, claim). A wrong, old or other code gets the same neutral answer,
    and failures are rate-limited."""

    template_name = "tipoffs/public_track.html"

    def get(self, request):
        return render(request, self.template_name, {})

    def post(self, request):
        if ratelimit.blocked("receipt", request):
            return render(request, self.template_name, {"error": LIMITED}, status=429)
        receipt = request.POST.get("receipt", "")
        t = services.find_by_receipt(receipt)
        if t is None:
            ratelimit.hit("receipt", request)
            return render(request, self.template_name, {"error": NEUTRAL}, status=404)
        action = request.POST.get("action", "open")
        forms = {"answer": AnswerForm(), "rate": RateForm(), "claim": ClaimForm()}
        ok = ""
        if action in forms:
            form = forms[action] = type(forms[action])(request.POST)
            if form.is_valid():
                try:
                    if action == "answer":
                        services.answer(t, form.cleaned_data["text"])
                        forms["answer"] = AnswerForm()
                        ok = "答复已提交。"
                    elif action == "rate":
                        services.rate(t, form.cleaned_data["rating"], form.cleaned_data["rating_note"])
                        ok = "感谢您的评价。"
                    else:
                        services.claim(t.reward, **form.cleaned_data)
                        forms["claim"] = ClaimForm()
                        ok = "领奖申请已提交,承办单位将与您联系。"
                except (ServiceError, Reward.DoesNotExist) as e:
                    form.add_error(None, getattr(e, "message", "该举报没有可申领的奖励。"))
                t.refresh_from_db()
        ctx = {
            **services.public_view(t),
            "receipt": crypto.normalise_receipt(receipt),
            "ok": ok,
            "answer_form": forms["answer"],
            "rate_form": forms["rate"],
            "claim_form": forms["claim"],
        }
        return render(request, "tipoffs/public_case.html", ctx)


# ---------------------------------------------------------------- officers


class TipOffList(ScopedListView):
    model = TipOff
    filterset_class = TipOffFilter
    table_class = TipOffTable
    select_related = ("enterprise", "township", "department")
    template_name = "tipoffs/tipoff_list.html"

    def get_context_data(self, **kwargs):
        s = self.scope
        return {**super().get_context_data(**kwargs), "can_create": not s.read_only and s.is_staff_scope}


class TipOffCreate(View):
    """An officer enters a tip-off received by the 12350 hotline, a letter, a visit or e-mail."""

    template_name = "tipoffs/tipoff_form.html"

    def dispatch(self, request, *args, **kwargs):
        from worksafe.core.scoping import scope_of

        s = scope_of(request.user)
        if s.read_only or not s.is_staff_scope:
            raise PermissionDenied("只有工作人员可以登记举报。")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, _form_context(FileForm(officer=True)))

    def post(self, request):
        form = FileForm(request.POST, request.FILES, officer=True)
        if request.POST.get("lookup"):
            return render(
                request, self.template_name, _form_context(FileForm(request.POST, officer=True), lookup=True)
            )
        if form.is_valid():
            d = form.cleaned_data
            try:
                t, receipt = services.file_tipoff(
                    category=d["category"],
                    description=d["description"],
                    township=d["township"],
                    enterprise_name=d["enterprise_name"],
                    place=d["place"],
                    when=d["when"],
                    name=d["name"],
                    phone=d["phone"],
                    employee=d["employee"],
                    files=request.FILES.getlist("files"),
                    channel=d["channel"],
                    sector=d["sector"],
                    entered_by=request.user,
                )
            except ServiceError as e:
                if e.status_code == 403:
                    raise PermissionDenied(e.message) from None
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                return render(
                    request,
                    "tipoffs/receipt.html",
                    {"tipoff": t, "receipt": crypto.display(receipt), "officer": True},
                )
        return render(request, self.template_name, _form_context(form), status=400)


class TipOffDetail(ScopedDetailView):
    model = TipOff
    select_related = (
        "enterprise",
        "township",
        "department",
        "township_unit",
        "custodian",
        "hazard",
        "inspection",
        "merged_into",
        "entered_by",
    )
    template_name = "tipoffs/tipoff_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t, user = self.object, self.request.user
        ctx["steps"] = services.TIPOFF.panel(
            user, t, url=reverse("tipoffs:tipoff_act", args=[t.pk]), bound=kwargs.get("bound_step")
        )
        ctx["can_handle"] = services.may_handle(user, t)
        ctx["may_reveal"] = services.may_reveal(user, t)
        ctx["messages_"] = t.messages.select_related("by")
        ctx["files"] = t.files.all()
        ctx["merged"] = TipOff.objects.visible_to(user).filter(merged_into=t)
        ctx["verified"] = t.is_verified and t.state in ("verified", "closed")
        ctx["ask_form"] = AskForm()
        ctx["reveal_form"] = RevealForm()
        ctx["hazard_form"] = kwargs.get("hazard_form") or HazardForm(
            initial={"location": t.place, "description": t.description[:500]}
        )
        ctx["reward_form"] = RewardProposeForm()
        ctx["enterprises"] = Enterprise.objects.visible_to(user).order_by("name")[:500]
        try:
            reward = t.reward
        except Reward.DoesNotExist:
            reward = None
        ctx["reward"] = reward
        if reward is not None:
            ctx["reward_steps"] = services.REWARD.panel(
                user, reward, url=reverse("tipoffs:reward_act", args=[reward.pk])
            )
        ctx["inspection_visible"] = (
            bool(t.inspection_id)
            and t.inspection.__class__.objects.visible_to(user).filter(pk=t.inspection_id).exists()
        )
        ctx["hazard_visible"] = (
            bool(t.hazard_id) and t.hazard.__class__.objects.visible_to(user).filter(pk=t.hazard_id).exists()
        )
        ctx["sections"] = rendered_sections(self.request, t, {"object": t})
        return ctx


class TipOffAct(LifecycleActView):
    model = TipOff
    lifecycle = services.TIPOFF
    detail_view = TipOffDetail


class _CasePost(ScopedMixin, View):
    """A POST on one case that calls one service; errors come back as messages."""

    model = TipOff
    http_method_names = ["post"]
    anchor = ""

    def act(self, request, t):
        raise NotImplementedError

    def post(self, request, pk):
        t = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            msg = self.act(request, t)
            if hasattr(msg, "status_code"):
                return msg
            messages.success(request, msg)
        except ServiceError as e:
            if e.status_code == 403:
                raise PermissionDenied(e.message) from None
            messages.error(request, e.message)
        return redirect(reverse("tipoffs:tipoff_detail", args=[t.pk]) + self.anchor)


class TipOffAsk(_CasePost):
    anchor = "#messages"

    def act(self, request, t):
        form = AskForm(request.POST)
        if not form.is_valid():
            raise ServiceError("请填写问题。")
        services.ask(t, request.user, form.cleaned_data["text"])
        return "问题已发给举报人(举报人凭回执码查看并答复)。"


class TipOffReveal(_CasePost):
    """查看举报人身份: POST with a reason; the answer shows it once (never cached); audited."""

    def act(self, request, t):
        form = RevealForm(request.POST)
        identity = services.reveal_identity(
            request.user, t, reason=form.data.get("reason", ""), request=request
        )
        resp = render(
            request, "tipoffs/reveal.html", {"tipoff": t, "identity": identity, "what": "举报人身份"}
        )
        resp["Cache-Control"] = "no-store"
        return resp


class TipOffEnterprise(_CasePost):
    def act(self, request, t):
        try:
            e = Enterprise.objects.visible_to(request.user).get(pk=int(request.POST.get("enterprise", "")))
        except (ValueError, Enterprise.DoesNotExist):
            raise ServiceError("请选择企业名录中的企业。") from None
        services.link_enterprise(t, request.user, e)
        return f"已关联{e.name}。"


class TipOffHazard(_CasePost):
    def act(self, request, t):
        form = HazardForm(request.POST)
        if not form.is_valid():
            raise ServiceError("请填写隐患部位和隐患描述。")
        h = services.to_hazard(t, request.user, **form.cleaned_data)
        return f"已登记{'重大事故' if h.is_major else ''}隐患{h.code}。"


class TipOffInspection(_CasePost):
    def act(self, request, t):
        insp = services.to_inspection(t, request.user)
        messages.success(request, "已转入监督检查,请在检查中采取执法措施。")
        return redirect(insp)


class RewardPropose(_CasePost):
    anchor = "#reward"

    def act(self, request, t):
        form = RewardProposeForm(request.POST)
        if not form.is_valid():
            raise ServiceError("请检查事故等级和死亡人数。")
        r = services.propose_reward(t, request.user, **form.cleaned_data)
        return f"已提出奖励{r.amount}元,待县安委办批准。"


class RewardAct(LifecycleActView):
    model = Reward
    lifecycle = services.REWARD


class PayeeReveal(ScopedMixin, View):
    model = Reward
    http_method_names = ["post"]

    def post(self, request, pk):
        r = get_object_or_404(self.get_queryset().select_related("tipoff"), pk=pk)
        try:
            payee = services.reveal_payee(
                request.user, r, reason=request.POST.get("reason", ""), request=request
            )
        except ServiceError as e:
            if e.status_code == 403:
                raise PermissionDenied(e.message) from None
            messages.error(request, e.message)
            return redirect(r)
        resp = render(
            request, "tipoffs/reveal.html", {"tipoff": r.tipoff, "identity": payee, "what": "领奖人信息"}
        )
        resp["Cache-Control"] = "no-store"
        return resp


class FileDownload(ScopedFileView):
    model = TipOffFile
