#include "storage/entry_codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::storage {
namespace {

using ::cradle::testing::StatusIs;

Entry SampleEntry() {
  Entry e;
  e.sequence = 42;
  e.stream = "20263304000001";
  e.stream_version = 3;
  e.type = "manifest.picked_up";
  e.actor = "91330402MA2B3C4D5E";
  e.recorded = absl::FromUnixMicros(1795000000123456);
  e.payload = std::string(
      "\x0a\x03"
      "abc",
      5);
  e.prev_hash = std::string(kHashBytes, '\x11');
  e.hash = ChainHash(e.prev_hash, CanonicalEntryBytes(e));
  return e;
}

TEST(EntryCodecTest, RoundTripsEveryField) {
  const Entry e = SampleEntry();
  absl::StatusOr<Entry> back = DecodeStoredEntry(EncodeStoredEntry(e));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->sequence, e.sequence);
  EXPECT_EQ(back->stream, e.stream);
  EXPECT_EQ(back->stream_version, e.stream_version);
  EXPECT_EQ(back->type, e.type);
  EXPECT_EQ(back->actor, e.actor);
  EXPECT_EQ(back->recorded, e.recorded);
  EXPECT_EQ(back->payload, e.payload);
  EXPECT_EQ(back->prev_hash, e.prev_hash);
  EXPECT_EQ(back->hash, e.hash);
}

TEST(EntryCodecTest, HashDependsOnEveryFieldAndThePreviousHash) {
  const Entry e = SampleEntry();
  const std::string base = ChainHash(e.prev_hash, CanonicalEntryBytes(e));
  Entry changed = e;
  changed.payload[4] = 'd';
  EXPECT_NE(ChainHash(e.prev_hash, CanonicalEntryBytes(changed)), base);
  changed = e;
  changed.actor = "someone else";
  EXPECT_NE(ChainHash(e.prev_hash, CanonicalEntryBytes(changed)), base);
  changed = e;
  changed.recorded += absl::Microseconds(1);
  EXPECT_NE(ChainHash(e.prev_hash, CanonicalEntryBytes(changed)), base);
  EXPECT_NE(ChainHash(std::string(kHashBytes, '\x12'), CanonicalEntryBytes(e)),
            base);
}

TEST(EntryCodecTest, KnownSha256Vector) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(HexHash(ChainHash("", "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(EntryCodecTest, RejectsTruncatedAndExtendedBytes) {
  const std::string stored = EncodeStoredEntry(SampleEntry());
  EXPECT_THAT(DecodeStoredEntry(stored.substr(0, stored.size() - 1)),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeStoredEntry(stored + "x"),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeStoredEntry(""), StatusIs(absl::StatusCode::kDataLoss));
  std::string bad_magic = stored;
  bad_magic[0] = 'X';
  EXPECT_THAT(DecodeStoredEntry(bad_magic),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(EntryCodecTest, AHeaderIsTheEntrysFirstFieldsAndNeedsOnlyThem) {
  const Entry e = SampleEntry();
  const std::string stored = EncodeStoredEntry(e);
  const absl::optional<EntryHeader> h = DecodeEntryHeader(stored);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->sequence, e.sequence);
  EXPECT_EQ(h->stream, e.stream);
  EXPECT_EQ(h->stream_version, e.stream_version);
  // Magic, sequence, the stream's length and bytes, its version.
  const size_t header = 5 + 8 + 4 + e.stream.size() + 8;
  EXPECT_TRUE(DecodeEntryHeader(stored.substr(0, header)).has_value());
  EXPECT_FALSE(DecodeEntryHeader(stored.substr(0, header - 1)).has_value());
  EXPECT_FALSE(DecodeEntryHeader("").has_value());
  std::string bad_magic = stored;
  bad_magic[0] = 'X';
  EXPECT_FALSE(DecodeEntryHeader(bad_magic).has_value());
}

TEST(EntryCodecTest, SequenceKeysSortNumerically) {
  EXPECT_LT(EncodeSequenceKey(255), EncodeSequenceKey(256));
  EXPECT_LT(EncodeSequenceKey(1), EncodeSequenceKey(uint64_t{1} << 40));
  EXPECT_EQ(DecodeSequenceKey(EncodeSequenceKey(123456789012345)),
            123456789012345u);
}

}  // namespace
}  // namespace cradle::storage
