"""The host's PartialScores call as protobuf messages (protos/serving_federation.proto) and back."""

from __future__ import annotations

from fate_runtime.serving.host import CaseScore, HostQuery, HostReply
from protos import serving_federation_pb2 as pb


def query_message(query: HostQuery, host_party_id: str) -> pb.PartialScoresRequest:
    return pb.PartialScoresRequest(host_party_id=host_party_id, service_id=query.service_id, model_id=query.model_id,
                                   model_version=query.model_version, guest_party_id=query.guest_party_id,
                                   caseid=query.caseid, cases=[pb.RemoteFeatures(values=case) for case in query.cases])


def query_of(message: pb.PartialScoresRequest) -> HostQuery:
    return HostQuery(message.service_id, message.model_id, message.model_version, message.guest_party_id,
                     message.caseid, tuple(dict(case.values) for case in message.cases))


def reply_message(reply: HostReply) -> pb.PartialScoresReply:
    return pb.PartialScoresReply(retcode=reply.retcode, retmsg=reply.retmsg, scores=[
        pb.CaseScore(retcode=score.retcode, retmsg=score.retmsg, score=score.score) for score in reply.scores])


def reply_of(message: pb.PartialScoresReply) -> HostReply:
    return HostReply(message.retcode, message.retmsg,
                     tuple(CaseScore(score.retcode, score.retmsg, score.score) for score in message.scores))
