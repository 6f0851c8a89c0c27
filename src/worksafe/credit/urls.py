from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    # public (公示): no login
    path("public/listings/", views.PublicListings.as_view(), name="public_listings"),
    path("public/commitments/", views.PublicCommitments.as_view(), name="public_commitments"),
    # commitments
    path("commitments/", views.CommitmentList.as_view(), name="commitment_list"),
    path("commitments/new/", views.CommitmentCreate.as_view(), name="commitment_create"),
    path("commitments/missing/", views.CommitmentMissingList.as_view(), name="commitment_missing"),
    path("commitments/<int:pk>/", views.CommitmentDetail.as_view(), name="commitment_detail"),
    # the serious-dishonesty list
    path("listings/", views.ListingList.as_view(), name="listing_list"),
    path("listings/joint-punishment/", views.ListingJoint.as_view(), name="listing_joint"),
    path("listings/<int:pk>/", views.ListingDetail.as_view(), name="listing_detail"),
    path("listings/<int:pk>/act/", views.ListingAct.as_view(), name="listing_act"),
    path("files/<int:pk>/", views.FileDownload.as_view(), name="file_download"),
    # accountability
    path("accountability/", views.AccountabilityList.as_view(), name="accountability_list"),
    path("accountability/<int:pk>/", views.AccountabilityDetail.as_view(), name="accountability_detail"),
    path("accountability/<int:pk>/act/", views.AccountabilityAct.as_view(), name="accountability_act"),
    # clue transfers
    path("clues/", views.ClueList.as_view(), name="clue_list"),
    path("clues/<int:pk>/", views.ClueDetail.as_view(), name="clue_detail"),
    path("clues/<int:pk>/act/", views.ClueAct.as_view(), name="clue_act"),
    path("clues/<int:pk>/letter.docx", views.ClueDocx.as_view(), name="clue_docx"),
    path("clues/<int:pk>/evidence.xlsx", views.ClueXlsx.as_view(), name="clue_xlsx"),
]
