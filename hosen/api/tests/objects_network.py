"""The network's summaries in the API's permission matrix (see objects.py). They live outside
`/authorities/{slug}/`: the network admin and the coordinators see what they support; every other role is refused
(403); a coordinator asking for another coordinator's cluster finds nothing there (404)."""

PATH_OBJECTS = {
    # The cluster of the matrix's authority (alpha): the coordinator's own, not the other coordinator's.
    "cluster_id": lambda authority, emergency, made: authority.cluster_id,
}

NETWORK_ROLES = {
    "hosen_api_resources_network_overview": {"network_admin": "2xx", "coordinator": "2xx",
                                             "other_coordinator": "2xx"},
    "hosen_api_resources_network_cluster": {"network_admin": "2xx", "coordinator": "2xx", "other_coordinator": 404},
}
