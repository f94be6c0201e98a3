app_name = "early_intervention"
urlpatterns = []
