"""Starts moto's server (the AWS emulator of test/e2e/emulator.test.ts) with fixes for four moto bugs and one API it lacks,
serving one request per connection (see the end of this file).

Usage: python moto-server.py <moto_server arguments>   (run with the Python that has moto installed)

The fix: moto 5.2.5's PutBucketLogging checks the target bucket's policy for a statement that lets
`logging.s3.amazonaws.com` write, and gets two things of IAM's policy grammar wrong:
  1. it reads every statement's `Principal` as a mapping: a statement whose `Principal` is the string "*" (valid,
     used by every deny-insecure-transport statement) makes it raise
     `AttributeError: 'str' object has no attribute 'get'`; the server answers 500 and Terraform retries
     `aws_s3_bucket_logging` until it times out;
  2. it compares the statement's `Resource` with three exact strings instead of matching it as a pattern, so a
     grant on `arn:aws:s3:::logs/s3/*` does not cover the target prefix `s3/<bucket>/` (AWS: it does).
AWS accepts the library's request. The replacement below is moto's own check with those two points done as IAM
does; nothing else changes: moto still refuses a target bucket that is missing, in another region, or that grants
log delivery nothing (no such policy statement and no log-delivery ACL).

The second fix: moto 5.2.5 stores the description of a security group rule that references another group
(`referenced_security_group_id`) but answers DescribeSecurityGroupRules without it, so every plan after the
deploy wants to set it again. The rule's description is read from where moto stored it.

The third fix: moto 5.2.5's CreateLaunchTemplate copies the request's own `TagSpecifications` (the tags of the
launch template itself, resource type `launch-template`; the AWS provider sends `tags` plus `default_tags` there)
into the first version's `LaunchTemplateData.TagSpecifications`. AWS keeps them apart: the version's data holds
only the tag specifications given in `LaunchTemplateData` (for instances, volumes, ...). So every plan right after
a color's deploy read back an extra `tag_specifications { resource_type = "launch-template" }` block, wanted to
remove it with a new version (`latest_version` known after apply), and so changed the Auto Scaling group's
`launch_template.version` too. Here the request's tags go to the template only, as on AWS.

The fourth fix: moto 5.2.5's RemoveRoleFromInstanceProfile of a role that is not (or no longer) in the instance
profile raises a Python `ValueError` (`list.remove(x): x not in list`), which the server answers with HTTP 500. AWS
answers `NoSuchEntity`, which the AWS provider takes as "already removed" when it deletes an instance profile; a 500
it retries as a server fault, with back-off, for many minutes. Seen once in the scenario: `cdktf destroy prod-blue`
hung in the instance profile's deletion, every retry answered 500 (the first attempt most likely carried out by moto
with its answer lost, like the other retry races below). Here the missing role is `NoSuchEntity`, as on AWS.

The API: moto 5.2.5 has no Auto Scaling `StartInstanceRefresh` (it answers 500 "not implemented"), which the AWS
provider calls when a group with `instance_refresh` gets a new launch template version, i.e. on every release.
Here it is accepted for an existing group and answers a refresh id, as AWS does when a refresh starts. It replaces
no instance: the emulator test checks the group's launch template, not a rollout (README "What the emulator test
covers" says so).
"""

import collections
import fnmatch
import json
import re
import sys
import threading

import uuid

from moto.autoscaling import responses as autoscaling_responses
from moto.autoscaling.exceptions import ValidationError
from moto.core.responses import ActionResult
from moto.ec2.models import security_groups as ec2_security_groups
from moto.ec2.responses import launch_templates as ec2_launch_templates
from moto.ec2.utils import parse_user_data
from moto.iam import models as iam_models
from moto.iam.exceptions import NotFoundException
from moto.s3 import models as s3_models

LOGGING_SERVICE_PRINCIPAL = "logging.s3.amazonaws.com"


def _log_permissions_enabled_policy(target_bucket, target_prefix):
    policy = target_bucket.policy
    if not policy:
        return False
    statements = json.loads(policy.decode())["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    # A log object S3 would write under the target prefix: the grant must cover it.
    log_object = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}/{target_prefix or ''}2026-01-01-00-00-00-0"
    for stmt in statements:
        principal = stmt.get("Principal")
        if not isinstance(principal, dict) or principal.get("Service") != LOGGING_SERVICE_PRINCIPAL:
            continue
        if stmt.get("Effect") != "Allow":
            continue
        actions = stmt.get("Action", [])
        if "s3:PutObject" not in ([actions] if isinstance(actions, str) else actions):
            continue
        resources = stmt.get("Resource")
        if any(fnmatch.fnmatchcase(log_object, r) for r in ([resources] if isinstance(resources, str) else resources or [])):
            return True
    return False


s3_models.FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)


ec2_security_groups.SecurityGroupRule.description = property(
    lambda rule: rule.ip_range.get("Description") or (rule.source_group or {}).get("Description")
)


def _create_launch_template(self):
    # moto 5.2.5's LaunchTemplates.create_launch_template without the lines that merged the request's
    # TagSpecifications into the version's LaunchTemplateData.
    name = self._get_param("LaunchTemplateName")
    version_description = self._get_param("VersionDescription")
    tag_spec = self._parse_tag_specification()
    parsed_template_data = self._get_param("LaunchTemplateData", {})
    parsed_template_data["UserData"] = parse_user_data(self._get_param("LaunchTemplateData.UserData"))
    self.error_on_dryrun()
    template = self.ec2_backend.create_launch_template(name, version_description, parsed_template_data, tag_spec)
    version = template.default_version()
    return ActionResult(
        {
            "LaunchTemplate": {
                "CreateTime": version.create_time,
                "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
                "DefaultVersionNumber": template.default_version_number,
                "LatestVersionNumber": version.number,
                "LaunchTemplateId": template.id,
                "LaunchTemplateName": template.name,
                "Tags": template.tags,
            },
        }
    )


ec2_launch_templates.LaunchTemplates.create_launch_template = _create_launch_template


def _remove_role_from_instance_profile(self, profile_name, role_name):
    profile = self.get_instance_profile(profile_name)
    role = self.get_role(role_name)
    if role not in profile.roles:
        raise NotFoundException(f"Role {role_name} is not in instance profile {profile_name}")
    profile.roles.remove(role)


iam_models.IAMBackend.remove_role_from_instance_profile = _remove_role_from_instance_profile


def _start_instance_refresh(self):
    name = self._get_param("AutoScalingGroupName")
    if not self.autoscaling_backend.describe_auto_scaling_groups([name]):
        raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup {name} not found")
    return ActionResult({"InstanceRefreshId": str(uuid.uuid4())})


autoscaling_responses.AutoScalingResponse.start_instance_refresh = _start_instance_refresh

# One request per connection (HTTP/1.0: the server closes after each answer). With werkzeug's threaded HTTP/1.1
# keep-alive, a client can write a request into an idle connection at the moment the server drops it; the AWS
# provider's SDK then retries even a non-idempotent call, and moto answers a conflict for what the first attempt
# already created (seen once in six scenario runs: CreateSubnet -> InvalidSubnet.Conflict after a connection error
# 5 ms into the first attempt). On loopback a connection per request costs nothing worth measuring. It did not end
# such races: one later run failed on a default egress rule revoked twice (RevokeSecurityGroupEgress ->
# InvalidPermission.NotFound), so the scenario also deploys once more on these known races (EMULATOR_RACES).
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler  # noqa: E402

MotoRequestHandler.protocol_version = "HTTP/1.0"

# One request at a time, and a retry answered as the call it repeats. werkzeug's threaded server runs each request
# on its own thread, and moto's backends are plain Python dicts and lists with no locking, so requests are taken in
# turn (moto spends about 5 ms of CPU on one: ~2,000 requests, 11 s per scenario). And now and then the provider's
# SDK sends a call again after moto has carried it out (its answer lost with the connection); moto then answers a
# conflict for what the first attempt made: seen, InvalidSubnet.Conflict, the default egress rule revoked twice,
# CreateRoute -> RouteAlreadyExists, PutParameter -> ParameterAlreadyExists (the last two cannot converge on a second
# deploy: the object is in moto, not in Terraform's state). The SDK marks its retries: every attempt of one call
# carries the same `Amz-Sdk-Invocation-Id` and `Amz-Sdk-Request: attempt=N; ...`. So the successful (2xx) answer to
# each call is kept, and a retry (attempt 2 or later) of a call that was already answered gets that answer again, as
# an AWS endpoint's idempotent handling would, instead of carrying it out twice. Each replay is logged to stderr
# (moto's log in the emulator test's directory).
_dispatch = DomainDispatcherApplication.__call__
_one_at_a_time = threading.Lock()
_ANSWERED = collections.OrderedDict()  # invocation id -> (status, headers, body) of its successful answer
_ANSWERS_KEPT = 5000
_ATTEMPT = re.compile(r"attempt=(\d+)")


def _serialized_dispatch(self, environ, start_response):
    invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
    attempt = _ATTEMPT.search(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
    retry = invocation is not None and attempt is not None and int(attempt.group(1)) > 1
    with _one_at_a_time:
        if retry and invocation in _ANSWERED:
            status, headers, body = _ANSWERED[invocation]
            sys.stderr.write(
                f"moto-server.py: attempt {attempt.group(1)} of {environ.get('REQUEST_METHOD')} "
                f"{environ.get('PATH_INFO')} (invocation {invocation}) gets attempt 1's answer again: {status}\n"
            )
            start_response(status, headers)
            return [body]
        answer = {}

        def keep(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, list(headers)
            return start_response(status, headers, exc_info)

        result = _dispatch(self, environ, keep)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if invocation is not None and answer.get("status", "").startswith("2"):
            _ANSWERED[invocation] = (answer["status"], answer["headers"], body)
            while len(_ANSWERED) > _ANSWERS_KEPT:
                _ANSWERED.popitem(last=False)
        return [body]


DomainDispatcherApplication.__call__ = _serialized_dispatch

from moto.server import main  # noqa: E402  (after the fix is in place)

sys.exit(main())
