def authority(request):
    return {
        "authority": getattr(request, "authority", None),
        "access": getattr(request, "access", None),
    }
