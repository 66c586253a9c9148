// Malformed input: every case names the NOTIFICATION of RFC 4271 §6 (code, subcode, data) and the
// RFC 7606 action the decoder decides. Fatal cases fail decode(); non-fatal ones decode into an
// Update that records exactly one error.
#include <gtest/gtest.h>

#include <optional>

#include "support/codec_helpers.h"

namespace pinto::test {
namespace {

constexpr const char* kOrigin = "40 01 01 00 ";
constexpr const char* kAsPath = "40 02 06 02 01 0000fde9 ";
constexpr const char* kNextHop = "40 03 04 c0000201 ";
constexpr const char* kNlri = "18 0af401";
constexpr const char* kMpReach6 = "80 0e 15 0002 01 10 fd000000000000000000000000000001 00 ";
const std::string kBase = std::string(kOrigin) + kAsPath + kNextHop;

struct Case {
  const char* name;
  Bytes bytes;
  ErrorCode code;
  std::uint8_t subcode;
  ErrorAction action;
  std::optional<std::string> data_hex = std::nullopt;  // checked when given
  DecodeContext ctx = {};
};

Bytes with_header(const char* header_hex) {
  return from_hex(header_hex);
}

Bytes open_msg(const char* body) {
  return message(1, body);
}

Bytes attrs(const std::string& attributes, const char* nlri_hex = kNlri) {
  return update("", attributes, nlri_hex);
}

std::vector<Case> cases() {
  using enum ErrorAction;
  constexpr auto H = ErrorCode::MessageHeader;
  constexpr auto O = ErrorCode::OpenMessage;
  constexpr auto U = ErrorCode::UpdateMessage;
  const DecodeContext two_octet{.four_octet_as = false};
  const DecodeContext add_path{.add_path = AddPathMask::all()};
  return {
      // --- Message header, RFC 4271 §6.1
      {"BadMarker", with_header("ffffffffffffffffffffffffffffff fe 0013 04"), H, 1, SessionReset},
      {"LengthBelowHeader", with_header("ffffffffffffffffffffffffffffffff 0012 04"), H, 2,
       SessionReset, "0012"},
      {"LengthOver4096",
       [] {
         Bytes b = message(2, "0000 0000" + std::string(2 * 4074, '0'));
         return b;
       }(),
       H, 2, SessionReset, "1001"},
      {"BadType", with_header("ffffffffffffffffffffffffffffffff 0013 06"), H, 3, SessionReset,
       "06"},
      {"KeepaliveWithBody", message(4, "00"), H, 2, SessionReset, "0014"},
      {"OpenShorterThan29", message(1, "04 fde9 005a 0a000001"), H, 2, SessionReset, "001c"},
      {"UpdateShorterThan23", message(2, "0000 00"), H, 2, SessionReset, "0016"},
      {"NotificationShorterThan21", message(3, "06"), H, 2, SessionReset, "0014"},
      {"RouteRefreshWrongLength", message(5, "0001 00 01 00"), ErrorCode::RouteRefreshMessage, 1,
       SessionReset},
      {"OpenOver4096EvenWithExtendedMessages",
       message(1, "04 fde9 005a 0a000001 ff ff 1000" + std::string(2 * 4096, '0')), H, 2,
       SessionReset, std::nullopt, DecodeContext{.extended_message = true}},

      // --- OPEN, RFC 4271 §6.2
      {"UnsupportedVersion", open_msg("03 fde9 005a 0a000001 00"), O, 1, SessionReset, "0004"},
      {"HoldTimeOne", open_msg("04 fde9 0001 0a000001 00"), O, 6, SessionReset},
      {"HoldTimeTwo", open_msg("04 fde9 0002 0a000001 00"), O, 6, SessionReset},
      {"BgpIdentifierZero", open_msg("04 fde9 005a 00000000 00"), O, 3, SessionReset},
      {"MyAsZero", open_msg("04 0000 005a 0a000001 00"), O, 2, SessionReset},
      {"UnsupportedOptionalParameter", open_msg("04 fde9 005a 0a000001 04 01 02 0000"), O, 4,
       SessionReset},
      {"TruncatedCapability", open_msg("04 fde9 005a 0a000001 06 02 04 01 04 0001"), O, 0,
       SessionReset},
      {"CapabilityWithWrongLength", open_msg("04 fde9 005a 0a000001 05 02 03 41 01 00"), O, 0,
       SessionReset},
      {"OptionalParametersLengthPastMessage", open_msg("04 fde9 005a 0a000001 09 02 02 02 00"), O,
       0, SessionReset},
      {"OptionalParameterRunsPastField", open_msg("04 fde9 005a 0a000001 03 02 05 02"), O, 0,
       SessionReset},
      {"GracefulRestartOddLength", open_msg("04 fde9 005a 0a000001 07 02 05 40 03 0078 00"), O, 0,
       SessionReset},
      {"AddPathBadDirection", open_msg("04 fde9 005a 0a000001 08 02 06 45 04 0001 01 04"), O, 0,
       SessionReset},

      // --- UPDATE structure, RFC 4271 §6.3 and RFC 7606 §4, §5.3
      {"WithdrawnLengthPastMessage", message(2, "0010 0000"), U, 1, SessionReset},
      {"AttributeLengthPastMessage", message(2, "0000 0010 40010100"), U, 1, SessionReset},
      {"NlriPrefixLengthOver32", attrs(kBase, "21 0af40100 00"), U, 10, SessionReset},
      {"NlriRunsPastMessage", attrs(kBase, "18 0af4"), U, 10, SessionReset},
      {"WithdrawnPrefixLengthOver32", update("28 0af4010000", ""), U, 10, SessionReset},
      {"AddPathIdentifierTruncated", update("", kBase, "0000 00"), U, 10, SessionReset,
       std::nullopt, add_path},
      {"UnrecognizedWellKnownAttribute", attrs(kBase + "40 63 01 00"), U, 2, SessionReset,
       "40630100"},
      {"AttributeRunsPastAttributesField", attrs(kBase + "c0 08 08 fde90001"), U, 5,
       TreatAsWithdraw},
      {"AttributeHeaderTruncated", attrs(kBase + "c0"), U, 5, TreatAsWithdraw},

      // --- Attribute flags, RFC 7606 §3 c
      {"OriginFlagsOptional", attrs(std::string("c0 01 01 00 ") + kAsPath + kNextHop), U, 4,
       TreatAsWithdraw, "c0010100"},
      {"MedFlagsTransitive", attrs(kBase + "c0 04 04 00000001"), U, 4, TreatAsWithdraw},
      {"MpReachFlagsTransitive", attrs(kBase + "c0 0e 05 0002 01 00 00", ""), U, 4, SessionReset},

      // --- Per attribute, RFC 7606 §7
      {"OriginWrongLength", attrs(std::string("40 01 02 0000 ") + kAsPath + kNextHop), U, 5,
       TreatAsWithdraw, "4001020000"},
      {"OriginInvalidValue", attrs(std::string("40 01 01 03 ") + kAsPath + kNextHop), U, 6,
       TreatAsWithdraw, "40010103"},
      {"AsPathSegmentOverruns", attrs(std::string(kOrigin) + "40 02 04 02 02 fde9" + kNextHop), U,
       11, TreatAsWithdraw},
      {"AsPathZeroLengthSegment", attrs(std::string(kOrigin) + "40 02 02 02 00" + kNextHop), U, 11,
       TreatAsWithdraw},
      {"AsPathUnknownSegmentType",
       attrs(std::string(kOrigin) + "40 02 06 05 01 0000fde9" + kNextHop), U, 11, TreatAsWithdraw},
      {"AsPathContainsAsZero", attrs(std::string(kOrigin) + "40 02 06 02 01 00000000" + kNextHop),
       U, 11, TreatAsWithdraw},
      {"AsPathTwoOctetOddLength", attrs(std::string(kOrigin) + "40 02 05 02 02 fde9 fd" + kNextHop),
       U, 11, TreatAsWithdraw, std::nullopt, two_octet},
      {"NextHopWrongLength", attrs(std::string(kOrigin) + kAsPath + "40 03 05 c000020100"), U, 5,
       TreatAsWithdraw},
      {"NextHopZero", attrs(std::string(kOrigin) + kAsPath + "40 03 04 00000000"), U, 8,
       TreatAsWithdraw,
       "400304"
       "00000000"},
      {"NextHopMulticast", attrs(std::string(kOrigin) + kAsPath + "40 03 04 e0000001"), U, 8,
       TreatAsWithdraw},
      {"MedWrongLength", attrs(kBase + "80 04 02 0001"), U, 5, TreatAsWithdraw},
      {"LocalPrefWrongLength", attrs(kBase + "40 05 03 000064"), U, 5, TreatAsWithdraw},
      {"AtomicAggregateWithValue", attrs(kBase + "40 06 01 00"), U, 5, AttributeDiscard},
      {"AggregatorWrongLength", attrs(kBase + "c0 07 07 0000fde9 c00002"), U, 5, AttributeDiscard},
      {"AggregatorAsZero", attrs(kBase + "c0 07 08 00000000 c0000201"), U, 9, AttributeDiscard},
      {"CommunitiesNotMultipleOfFour", attrs(kBase + "c0 08 05 fde9000101"), U, 5, TreatAsWithdraw},
      {"CommunitiesEmpty", attrs(kBase + "c0 08 00"), U, 5, TreatAsWithdraw},
      {"OriginatorIdWrongLength", attrs(kBase + "80 09 03 0a0000"), U, 5, TreatAsWithdraw},
      {"ClusterListNotMultipleOfFour", attrs(kBase + "80 0a 06 0a0000010a00"), U, 5,
       TreatAsWithdraw},
      {"ExtendedCommunitiesNotMultipleOfEight", attrs(kBase + "c0 10 07 0002fde9000000"), U, 5,
       TreatAsWithdraw},
      {"LargeCommunityNotMultipleOfTwelve", attrs(kBase + "c0 20 0d 0000fde9 00000001 00000002 00"),
       U, 5, TreatAsWithdraw},
      {"As4PathWithConfedSegmentOnTwoOctetSession",
       attrs(std::string(kOrigin) + "40 02 04 02 01 fde9" + kNextHop + "c0 11 06 03 01 0000fde9"),
       U, 9, AttributeDiscard, std::nullopt, two_octet},
      {"As4AggregatorWrongLengthOnTwoOctetSession",
       attrs(std::string(kOrigin) + "40 02 04 02 01 fde9" + kNextHop + "c0 12 06 fde9 c0000201"), U,
       5, AttributeDiscard, std::nullopt, two_octet},

      // --- Repeats and omissions, RFC 7606 §3 d and g
      {"DuplicateOriginIsDiscarded", attrs(kBase + "40 01 01 02"), U, 1, AttributeDiscard},
      {"DuplicateMpReachResets", attrs(kBase + kMpReach6 + kMpReach6, ""), U, 1, SessionReset},
      {"MissingOrigin", attrs(std::string(kAsPath) + kNextHop), U, 3, TreatAsWithdraw, "01"},
      {"MissingAsPath", attrs(std::string(kOrigin) + kNextHop), U, 3, TreatAsWithdraw, "02"},
      {"MissingNextHopWithIpv4Nlri", attrs(std::string(kOrigin) + kAsPath), U, 3, TreatAsWithdraw,
       "03"},
      {"MissingOriginWithMpReach",
       attrs(std::string(kAsPath) + "80 0e 16 0002 01 10 fd000000000000000000000000000001 00 00",
             ""),
       U, 3, TreatAsWithdraw, "01"},

      // --- MP_REACH_NLRI / MP_UNREACH_NLRI, RFC 4760 and RFC 7606 §7.11-12
      {"MpReachTruncatedBeforeNextHop", attrs(kBase + "80 0e 02 0002", ""), U, 9, SessionReset},
      {"MpReachNextHopPastAttribute", attrs(kBase + "80 0e 06 0002 01 10 fd00", ""), U, 9,
       SessionReset},
      {"MpReachUnknownAfiIsIgnored", attrs(kBase + "80 0e 0b 0003 01 04 c0000201 00 08 0a", ""), U,
       9, AttributeDiscard},
      {"MpReachIpv6NextHopLengthFive", attrs(kBase + "80 0e 0b 0002 01 05 fd00000000 00 00", ""), U,
       9, SessionReset},
      {"MpReachIpv6PrefixLengthOver128",
       attrs(kBase + "80 0e 16 0002 01 10 fd000000000000000000000000000001 00 81", ""), U, 9,
       SessionReset},
      {"MpReachNlriPastAttribute",
       attrs(kBase + "80 0e 17 0002 01 10 fd000000000000000000000000000001 00 40 fd", ""), U, 9,
       SessionReset},
      {"MpUnreachTruncated", attrs("80 0f 02 0002", ""), U, 9, SessionReset},
      {"MpUnreachPrefixLengthOver128", attrs("80 0f 04 0002 01 90", ""), U, 9, SessionReset},
  };
}

class Malformed : public ::testing::TestWithParam<Case> {};

TEST_P(Malformed, MapsToTheNotificationAndActionTheRfcsName) {
  const Case& c = GetParam();
  auto r = decode(c.bytes, c.ctx);
  const DecodeError* error = nullptr;
  if (!r) {
    error = &r.error();
  } else {
    ASSERT_TRUE(std::holds_alternative<Update>(r.value()))
        << "decoded without error as type " << static_cast<int>(type_of(r.value()));
    const auto& errors = std::get<Update>(r.value()).errors;
    ASSERT_EQ(errors.size(), 1u) << "expected exactly one recorded error";
    error = &errors[0];
  }
  EXPECT_EQ(error->code, c.code) << error->reason;
  EXPECT_EQ(error->subcode, c.subcode)
      << error->reason << " ("
      << describe_notification(static_cast<int>(error->code), error->subcode) << ")";
  EXPECT_EQ(to_string(error->action), to_string(c.action)) << error->reason;
  if (c.data_hex) {
    EXPECT_EQ(to_hex(error->data), to_hex(from_hex(*c.data_hex)));
  }
  EXPECT_FALSE(error->reason.empty());
  // Fatal errors never come back as a decoded message, and non-fatal ones never fail decode().
  EXPECT_EQ(!r, c.action == ErrorAction::SessionReset);
}

INSTANTIATE_TEST_SUITE_P(RfcCases, Malformed, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(MalformedAtLeast, ThirtyCasesAreCovered) {
  EXPECT_GE(cases().size(), 30u);
}

TEST(Rfc7606, TreatAsWithdrawKeepsThePrefixesSoTheyCanBeWithdrawn) {
  const Update u = decode_update_ok(attrs(std::string("40 01 01 07 ") + kAsPath + kNextHop));
  EXPECT_TRUE(u.treat_as_withdraw());
  ASSERT_EQ(u.nlri.size(), 1u);
  EXPECT_EQ(u.nlri[0].prefix.to_string(), "10.244.1.0/24");
}

TEST(Rfc7606, AttributeDiscardLeavesTheRestOfTheUpdateUsable) {
  const Update u = decode_update_ok(attrs(kBase + "40 06 01 00 c0 08 04 fde90064"));
  EXPECT_FALSE(u.treat_as_withdraw());
  EXPECT_FALSE(u.attributes.atomic_aggregate);
  EXPECT_EQ(u.attributes.communities, (std::vector<std::uint32_t>{0xfde90064}));
}

TEST(Rfc7606, DuplicateAttributeKeepsTheFirstOccurrence) {
  const Update u = decode_update_ok(attrs(kBase + "40 01 01 02"));
  EXPECT_EQ(u.attributes.origin, Origin::Igp);
}

TEST(Rfc7606, WithdrawOnlyUpdateNeedsNoMandatoryAttributes) {
  const Update u = decode_update_ok(update("18 0af401", ""));
  EXPECT_TRUE(u.errors.empty());
  EXPECT_EQ(u.withdrawn.size(), 1u);
}

}  // namespace
}  // namespace pinto::test
