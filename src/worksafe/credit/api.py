"""The credit API: commitments, the serious-dishonesty list (with its steps), its events and files,
accountability actions (with their steps), clue transfers (with their steps)."""

from rest_framework import serializers, viewsets

from worksafe.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin

from . import services
from .filters import AccountabilityFilter, ClueFilter, CommitmentFilter, ListingFilter
from .models import Accountability, ClueTransfer, Commitment, Listing, ListingEvent


class CommitmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = "__all__"


class ListingSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.LISTING)

    class Meta:
        model = Listing
        exclude = ["source_key"]


class ListingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingEvent
        fields = "__all__"


class AccountabilitySerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.ACCOUNTABILITY)

    class Meta:
        model = Accountability
        exclude = ["source_key"]


class ClueTransferSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.CLUE)

    class Meta:
        model = ClueTransfer
        fields = "__all__"


class CommitmentViewSet(ScopedReadOnlyViewSet):
    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter


class ListingViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The serious-dishonesty list; POST …/step/ (notify, statement, decide, drop, publish,
    request_repair, approve_repair, reject_repair, revoke_removal) with the version last seen."""

    queryset = Listing.objects.all()
    serializer_class = ListingSerializer
    lifecycle = services.LISTING
    filterset_class = ListingFilter


class ListingEventViewSet(ScopedReadOnlyViewSet):
    queryset = ListingEvent.objects.all()
    serializer_class = ListingEventSerializer


class AccountabilityViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """约谈、通报、警示、曝光; POST …/step/ (issue, dismiss, follow_up)."""

    queryset = Accountability.objects.all()
    serializer_class = AccountabilitySerializer
    lifecycle = services.ACCOUNTABILITY
    filterset_class = AccountabilityFilter


class ClueTransferViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """问题线索移交; POST …/step/ (send, reply)."""

    queryset = ClueTransfer.objects.all()
    serializer_class = ClueTransferSerializer
    lifecycle = services.CLUE
    filterset_class = ClueFilter


def register(router):
    router.register("credit-commitments", CommitmentViewSet)
    router.register("credit-listings", ListingViewSet)
    router.register("credit-listing-events", ListingEventViewSet)
    router.register("credit-accountabilities", AccountabilityViewSet)
    router.register("credit-clue-transfers", ClueTransferViewSet)
