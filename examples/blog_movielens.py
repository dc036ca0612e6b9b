# The blog's own text is kept as written (its imports, str.format, spacing): lint accordingly.
# ruff: noqa: E402, F401, I001, UP032
"""The 2018 "Amazon Personalize" blog's MovieLens example, running on personalize-emulator.

The boto3 calls below are the blog's, character for character, written for the re:Invent 2018
preview API (``minTPS``, ``get_metrics``, ``create_campaign(solutionArn=..., updateMode=...)``,
recipes named ``awspersonalize...model``). What changed, and why:

* Python 3: ``print`` is a function, ``np.int`` no longer exists (``int``), and ``u.item`` is
  Latin-1, which Python 3's pandas must be told.
* The notebook's ``!wget`` / ``!unzip`` / ``!aws configure add-model`` lines download nothing here:
  MovieLens 100k is read from a local copy (``examples/movielens.py`` says where it looks, and
  makes a small synthetic stand-in when there is none), and the project's own preview-dialect
  service models are put on ``AWS_DATA_PATH`` before the first client is made -- what
  ``aws configure add-model`` did for the blog's readers.
* The blog never defines ``role_arn`` nor creates its bucket (its readers had both); the setup
  section does.

Where the calls go:

* ``python3 examples/blog_movielens.py`` and ``personalize-emulator run examples/blog_movielens.py``
  run everything in this process, inside ``mock_personalize``; the blog's hard-coded
  ``https://personalize...amazonaws.com`` endpoints reach the emulator and jobs finish
  synchronously, so every poll loop ends on its first describe and never sleeps.
* ``BLOG_ENDPOINT_URL=http://127.0.0.1:4580 python3 examples/blog_movielens.py`` talks to a running
  ``personalize-emulator serve`` instead: the two ``endpoint_url`` strings are the only change,
  and S3/IAM follow through ``AWS_ENDPOINT_URL``.

Options (none needed): ``--data DIR`` (MovieLens 100k directory, or ``synthetic``), ``--recipe NAME``
(another recipe of the blog's ``recipe_list``; default its first, HRNN), ``--seed N``
(which user the blog samples), ``--summary FILE`` (write the ARNs, user and recommendations as
JSON, for tests and scripts).
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile

# --- setup: what the blog's readers had in place before its first cell ------------------------
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", help="MovieLens 100k directory, or 'synthetic' (default: search)")
parser.add_argument(
    "--recipe",
    choices=["awspersonalizehrnnmodel", "awspersonalizedeepfmmodel", "awspersonalizesimsmodel",
             "awspersonalizeffnnmodel", "popularity-baseline"],
    help="train another recipe of the blog's recipe_list (default: its first, HRNN)",
)
parser.add_argument("--seed", type=int, help="seed for the blog's data.sample()")
parser.add_argument("--summary", help="write ARNs, user and recommendations as JSON to this file")
options = parser.parse_args()

import movielens  # examples/movielens.py, next to this file

from personalize_emulator import preview_models

BLOG_ENDPOINT_URL = os.environ.get("BLOG_ENDPOINT_URL")
own_mock = None


def endpoint(blog_url):
    """The blog's endpoint, or the live emulator named by ``BLOG_ENDPOINT_URL``."""
    return BLOG_ENDPOINT_URL or blog_url


# The notebook ran with a configured region; boto3 refuses to make a client without one.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
if BLOG_ENDPOINT_URL:
    # S3 and IAM clients have no endpoint_url in the code; send them to the server too.
    os.environ["AWS_ENDPOINT_URL"] = BLOG_ENDPOINT_URL
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
else:
    # In-process emulator. Nesting is harmless: under `personalize-emulator run` it is already on.
    from personalize_emulator import mock_personalize

    own_mock = mock_personalize()
    own_mock.start()

ml100k = movielens.locate(options.data)
print("MovieLens 100k: {}{}".format(ml100k.path, " (synthetic)" if ml100k.synthetic else ""))
# The blog's working directory: ./ml-100k as it expects, and room for the CSV it writes.
workdir = tempfile.mkdtemp(prefix="personalize-blog-")
atexit.register(shutil.rmtree, workdir, True)
try:
    os.symlink(ml100k.path.resolve(), os.path.join(workdir, "ml-100k"))
except OSError:  # no symlinks (some Windows setups)
    shutil.copytree(ml100k.path, os.path.join(workdir, "ml-100k"))
summary_path = os.path.abspath(options.summary) if options.summary else None
if options.seed is not None:
    import numpy

    numpy.random.seed(options.seed)

# --- the blog ----------------------------------------------------------------------------------
import boto3

import json
import numpy as np
import pandas as pd
import time

# !wget -N .../personalize.json, .../personalize-runtime.json
# !aws configure add-model --service-model file://`pwd`/personalize.json --service-name personalize
# !aws configure add-model --service-model file://`pwd`/personalize-runtime.json --service-name personalize-runtime
if not preview_models.preview_is_effective():
    data_path = [str(preview_models.installed_data_path()), os.environ.get("AWS_DATA_PATH", "")]
    os.environ["AWS_DATA_PATH"] = os.pathsep.join(p for p in data_path if p)
    boto3.DEFAULT_SESSION = None  # a session keeps the models it first found

personalize = boto3.client(service_name='personalize', endpoint_url=endpoint('https://personalize.us-east-1.amazonaws.com'))
personalize_runtime = boto3.client(service_name='personalize-runtime', endpoint_url=endpoint('https://personalize-runtime.us-east-1.amazonaws.com'))

bucket = "personalize-demo"           # replace with the name of your S3 bucket
filename = "DEMO-movie-lens-100k.csv"

# !wget -N http://files.grouplens.org/datasets/movielens/ml-100k.zip
# !unzip -o ml-100k.zip
os.chdir(workdir)  # holds ./ml-100k (a link to the local copy); the blog writes its CSV here
data = pd.read_csv('./ml-100k/u.data', sep='\t', names=['USER_ID', 'ITEM_ID', 'RATING', 'TIMESTAMP'])
pd.set_option('display.max_rows', 5)

data = data[data['RATING'] > 3.6]                # keep only movies rated 3.6 and above
data = data[['USER_ID', 'ITEM_ID', 'TIMESTAMP']] # select columns that match the columns in the schema below
data.to_csv(filename, index=False)

# The bucket and the role below were the reader's own; a fresh emulator has neither.
s3_client = boto3.client("s3")
if bucket not in [b["Name"] for b in s3_client.list_buckets()["Buckets"]]:
    s3_client.create_bucket(Bucket=bucket)
iam = boto3.client("iam")
try:
    role_arn = iam.get_role(RoleName="PersonalizeRole")["Role"]["Arn"]
except iam.exceptions.NoSuchEntityException:
    role_arn = iam.create_role(
        RoleName="PersonalizeRole",
        AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
                           "Action": "sts:AssumeRole"}],
        }),
    )["Role"]["Arn"]

boto3.Session().resource('s3').Bucket(bucket).Object(filename).upload_file(filename)

schema = {
    "type": "record",
    "name": "Interactions",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {
            "name": "USER_ID",
            "type": "string"
        },
        {
            "name": "ITEM_ID",
            "type": "string"
        },
        {
            "name": "TIMESTAMP",
            "type": "long"
        }
    ],
    "version": "1.0"
}

create_schema_response = personalize.create_schema(
    name = "DEMO-schema",
    schema = json.dumps(schema)
)

schema_arn = create_schema_response['schemaArn']
print(json.dumps(create_schema_response, indent=2))

create_dataset_group_response = personalize.create_dataset_group(
    name = "DEMO-dataset-group"
)

dataset_group_arn = create_dataset_group_response['datasetGroupArn']
print(json.dumps(create_dataset_group_response, indent=2))

status = None
max_time = time.time() + 3*60*60 # 3 hours
while time.time() < max_time:
    describe_dataset_group_response = personalize.describe_dataset_group(
        datasetGroupArn = dataset_group_arn
    )
    status = describe_dataset_group_response["datasetGroup"]["status"]
    print("DatasetGroup: {}".format(status))

    if status == "ACTIVE" or status == "CREATE FAILED":
        break

    time.sleep(60)

dataset_type = "INTERACTIONS"
create_dataset_response = personalize.create_dataset(
    datasetType = dataset_type,
    datasetGroupArn = dataset_group_arn,
    schemaArn = schema_arn
)

dataset_arn = create_dataset_response['datasetArn']
print(json.dumps(create_dataset_response, indent=2))

create_dataset_import_job_response = personalize.create_dataset_import_job(
    jobName = "DEMO-dataset-import-job",
    datasetArn = dataset_arn,
    dataSource = {
        "dataLocation": "s3://{}/{}".format(bucket, filename)
    },
    roleArn = role_arn
)

dataset_import_job_arn = create_dataset_import_job_response['datasetImportJobArn']
print(json.dumps(create_dataset_import_job_response, indent=2))

status = None
max_time = time.time() + 3*60*60 # 3 hours
while time.time() < max_time:
    describe_dataset_import_job_response = personalize.describe_dataset_import_job(
        datasetImportJobArn = dataset_import_job_arn
    )

    dataset_import_job = describe_dataset_import_job_response["datasetImportJob"]
    if "latestDatasetImportJobRun" not in dataset_import_job:
        status = dataset_import_job["status"]
        print("DatasetImportJob: {}".format(status))
    else:
        status = dataset_import_job["latestDatasetImportJobRun"]["status"]
        print("LatestDatasetImportJobRun: {}".format(status))

    if status == "ACTIVE" or status == "CREATE FAILED":
        break

    time.sleep(60)

recipe_list = [
    "arn:aws:personalize:::recipe/awspersonalizehrnnmodel",
    "arn:aws:personalize:::recipe/awspersonalizedeepfmmodel",
    "arn:aws:personalize:::recipe/awspersonalizesimsmodel",
    "arn:aws:personalize:::recipe/awspersonalizeffnnmodel",
    "arn:aws:personalize:::recipe/popularity-baseline"
]

recipe_arn = recipe_list[0]
if options.recipe:  # not in the blog: another recipe of its list
    recipe_arn = "arn:aws:personalize:::recipe/" + options.recipe
create_solution_response = personalize.create_solution(
    name = "DEMO-solution",
    datasetGroupArn = dataset_group_arn,
    recipeArn = recipe_arn,
    minTPS = 1
)

solution_arn = create_solution_response['solutionArn']
print(json.dumps(create_solution_response, indent=2))

status = None
max_time = time.time() + 3*60*60 # 3 hours
while time.time() < max_time:
    describe_solution_response = personalize.describe_solution(
        solutionArn = solution_arn
    )
    status = describe_solution_response["solution"]["status"]
    print("Solution: {}".format(status))

    if status == "ACTIVE" or status == "CREATE FAILED":
        break

    time.sleep(60)

get_metrics_response = personalize.get_metrics(
    solutionArn = solution_arn
)

print(json.dumps(get_metrics_response, indent=2))

create_campaign_response = personalize.create_campaign(
    name = "DEMO-campaign",
    solutionArn = solution_arn,
    updateMode = "MANUAL"
)

campaign_arn = create_campaign_response['campaignArn']
print(json.dumps(create_campaign_response, indent=2))

status = None
max_time = time.time() + 3*60*60 # 3 hours
while time.time() < max_time:
    describe_campaign_response = personalize.describe_campaign(
        campaignArn = campaign_arn
    )
    status = describe_campaign_response["campaign"]["status"]
    print("Campaign: {}".format(status))

    if status == "ACTIVE" or status == "CREATE FAILED":
        break

    time.sleep(60)

items = pd.read_csv('./ml-100k/u.item', sep='|', usecols=[0,1], header=None, encoding='latin-1')
items.columns = ['ITEM_ID', 'TITLE']

user_id, item_id, _ = data.sample().values[0]
item_title = items.loc[items['ITEM_ID'] == item_id].values[0][-1]
get_recommendations_response = personalize_runtime.get_recommendations(
    campaignArn = campaign_arn,
    userId = str(user_id),
    itemId = str(item_id)
)

item_list = get_recommendations_response['itemList']
title_list = [items.loc[items['ITEM_ID'] == int(item['itemId'])].values[0][-1] for item in item_list]

print("Recommendations: {}".format(json.dumps(title_list, indent=2)))

# --- not in the blog ---------------------------------------------------------------------------
print(f"(for user {user_id}, who watched {item_title!r})")
if summary_path:
    with open(summary_path, "w", encoding="utf-8") as out:
        json.dump({
            "datasetGroupArn": dataset_group_arn,
            "datasetArn": dataset_arn,
            "solutionArn": solution_arn,
            "campaignArn": campaign_arn,
            "recipeArn": recipe_arn,
            "userId": str(user_id),
            "itemId": str(item_id),
            "itemIds": [item["itemId"] for item in item_list],
            "titles": title_list,
        }, out, indent=2)
if own_mock is not None:
    own_mock.stop()
sys.stdout.flush()
