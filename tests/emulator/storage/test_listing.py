"""objects.list through google-cloud-storage: pages, prefixes, globs and offsets."""

from .conftest import upload_many


def test_listing_pages_through_2500_objects_in_name_order(gcs, big_bucket):
    pages = list(gcs.list_blobs(big_bucket.name, page_size=1000).pages)

    assert [page.num_items for page in pages] == [1000, 1000, 500]
    names = [blob.name for page in pages for blob in page]
    assert names == [f"obj/{i:05d}" for i in range(2500)]


def test_max_results_caps_the_listing_across_pages(gcs, big_bucket):
    iterator = gcs.list_blobs(big_bucket.name, max_results=1234, page_size=500)

    names = [blob.name for blob in iterator]

    assert len(names) == 1234
    assert names[-1] == "obj/01233"


def test_a_page_token_resumes_after_the_previous_page(gcs, big_bucket):
    first = gcs.list_blobs(big_bucket.name, max_results=7)
    page = next(first.pages)
    list(page)

    rest = gcs.list_blobs(big_bucket.name, page_token=first.next_page_token, max_results=3)

    assert [b.name for b in rest] == ["obj/00007", "obj/00008", "obj/00009"]


def test_delimiter_collapses_deeper_names_into_prefixes(gcs, bucket):
    upload_many(bucket, ["a/1", "a/b/2", "c", "d/", "d/e", "e/f/g/h", "top.txt"])

    iterator = gcs.list_blobs(bucket.name, delimiter="/")
    items = [b.name for b in iterator]

    assert items == ["c", "top.txt"]
    assert iterator.prefixes == {"a/", "d/", "e/"}

    nested = gcs.list_blobs(bucket.name, prefix="a/", delimiter="/")
    assert [b.name for b in nested] == ["a/1"]
    assert nested.prefixes == {"a/b/"}

    trailing = gcs.list_blobs(bucket.name, delimiter="/", include_trailing_delimiter=True)
    assert [b.name for b in trailing] == ["c", "d/", "top.txt"]


def test_prefixes_count_towards_max_results_and_page_in_order(gcs, bucket):
    upload_many(bucket, [f"folder{i}/x" for i in range(5)] + [f"folder{i}/y" for i in range(5)] + ["z"])

    iterator = gcs.list_blobs(bucket.name, delimiter="/", page_size=2)
    pages = [(sorted(page.prefixes), [b.name for b in page]) for page in iterator.pages]

    assert pages == [(["folder0/", "folder1/"], []), (["folder2/", "folder3/"], []), (["folder4/"], ["z"])]


def test_match_glob_follows_googles_grammar(gcs, bucket):
    names = [
        "README.txt",
        "study1/series1/Example.dcm",
        "study1/series1/Example1.dcm",
        "study1/series1/Example22.dcm",
        "study1/series2/deeper/Example3.dcm",
        "study2/Example.DCM",
    ]
    upload_many(bucket, names)

    def glob(pattern):
        return [b.name for b in gcs.list_blobs(bucket.name, match_glob=pattern)]

    assert glob("**/*.dcm") == names[1:5]
    assert glob("study1/*/*.dcm") == names[1:4]
    assert glob("study1/series1/Example?.dcm") == ["study1/series1/Example1.dcm"]
    assert glob("study1/**/Example[0-9].dcm") == ["study1/series1/Example1.dcm", "study1/series2/deeper/Example3.dcm"]
    assert glob("**.{txt,DCM}") == ["README.txt", "study2/Example.DCM"]
    assert glob("*") == ["README.txt"]


def test_start_and_end_offsets_bound_the_listing(gcs, bucket):
    upload_many(bucket, ["a", "b", "ba", "c", "d"])

    names = [b.name for b in gcs.list_blobs(bucket.name, start_offset="b", end_offset="d")]

    assert names == ["b", "ba", "c"]
