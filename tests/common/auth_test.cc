#include "services/common/auth.h"

#include <gtest/gtest.h>

#include "services/common/sha256.h"

namespace salesops::common {
namespace {

TEST(Sha256Test, MatchesTheStandardDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenRegistryTest, FindsActorsByTheHashOfTheirToken) {
  absl::StatusOr<TokenRegistry> registry =
      TokenRegistry::Parse("# comment\n" + Sha256Hex("s3cret") + " seller-7 sales Sam Seller\n" +
                           Sha256Hex("other") + " ops-2 OPS;");
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_EQ(registry->size(), 2u);
  std::optional<v1::Actor> actor = registry->Find("s3cret");
  ASSERT_TRUE(actor.has_value());
  EXPECT_EQ(actor->id(), "seller-7");
  EXPECT_EQ(actor->role(), v1::ROLE_SALES);
  EXPECT_EQ(actor->display_name(), "Sam Seller");
  EXPECT_EQ(registry->Find("other")->role(), v1::ROLE_OPS);
  EXPECT_FALSE(registry->Find("S3cret").has_value());
  EXPECT_FALSE(registry->Find("").has_value());
  // The hash itself is not a token.
  EXPECT_FALSE(registry->Find(Sha256Hex("s3cret")).has_value());
}

TEST(TokenRegistryTest, ACrewTokenIsOnePersonWithTheCrewRole) {
  absl::StatusOr<TokenRegistry> registry = TokenRegistry::Parse(
      Sha256Hex("ann") + " crew-ann crew Ann Rigger;" + Sha256Hex("ben") + " crew-ben CREW");
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_EQ(registry->Find("ann")->id(), "crew-ann");
  EXPECT_EQ(registry->Find("ann")->role(), v1::ROLE_CREW);
  EXPECT_EQ(registry->Find("ben")->role(), v1::ROLE_CREW);
  EXPECT_EQ(ParseRole("crew"), v1::ROLE_CREW);
  EXPECT_EQ(RoleName(v1::ROLE_CREW), "crew");
}

TEST(TokenRegistryTest, RefusesClearTokensAndUnknownRoles) {
  EXPECT_FALSE(TokenRegistry::Parse("s3cret seller-7 sales").ok());
  EXPECT_FALSE(TokenRegistry::Parse(Sha256Hex("x") + " someone boss").ok());
  EXPECT_FALSE(TokenRegistry::Parse(Sha256Hex("x") + " missing-role").ok());
}

RolePolicy InventoryLikePolicy() {
  RolePolicy policy("salesops.v1.InventoryService");
  policy.Allow("GetItem", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("UpsertItem", {v1::ROLE_ADMIN});
  return policy;
}

TEST(RolePolicyTest, DeniesByDefault) {
  RolePolicy policy = InventoryLikePolicy();
  EXPECT_TRUE(policy.IsAllowed("/salesops.v1.InventoryService/GetItem", v1::ROLE_SALES));
  EXPECT_FALSE(policy.IsAllowed("/salesops.v1.InventoryService/UpsertItem", v1::ROLE_SALES));
  EXPECT_FALSE(policy.IsAllowed("/salesops.v1.InventoryService/NotInTable", v1::ROLE_ADMIN));
  EXPECT_EQ(policy.Methods().size(), 2u);
  EXPECT_TRUE(RolePolicy::IsPublic("/grpc.health.v1.Health/Check"));
  EXPECT_TRUE(
      RolePolicy::IsPublic("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
  EXPECT_FALSE(RolePolicy::IsPublic("/salesops.v1.InventoryService/GetItem"));
}

TEST(RolePolicyTest, MergeCombinesServices) {
  RolePolicy policy = InventoryLikePolicy();
  RolePolicy sink("salesops.v1.EventSink");
  sink.Allow("Deliver", {v1::ROLE_SERVICE});
  policy.Merge(sink);
  EXPECT_TRUE(policy.IsAllowed("/salesops.v1.EventSink/Deliver", v1::ROLE_SERVICE));
  EXPECT_EQ(policy.Methods().size(), 3u);
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest()
      : authenticator_(*TokenRegistry::Parse(Sha256Hex("sales-token") + " seller-1 sales;" +
                                             Sha256Hex("admin-token") + " admin-1 admin"),
                       InventoryLikePolicy()) {}
  Authenticator authenticator_;
};

TEST_F(AuthenticatorTest, NoTokenIsUnauthenticated) {
  AuthDecision decision = authenticator_.Decide("/salesops.v1.InventoryService/GetItem", {});
  EXPECT_EQ(decision.code, GRPC_STATUS_UNAUTHENTICATED);
  EXPECT_NE(decision.message.find("missing bearer token"), std::string::npos);
}

TEST_F(AuthenticatorTest, UnknownOrMalformedTokenIsUnauthenticated) {
  EXPECT_EQ(authenticator_.Decide("/salesops.v1.InventoryService/GetItem", {"Bearer nope"}).code,
            GRPC_STATUS_UNAUTHENTICATED);
  EXPECT_EQ(authenticator_.Decide("/salesops.v1.InventoryService/GetItem", {"sales-token"}).code,
            GRPC_STATUS_UNAUTHENTICATED);
}

TEST_F(AuthenticatorTest, WrongRoleIsPermissionDenied) {
  AuthDecision decision =
      authenticator_.Decide("/salesops.v1.InventoryService/UpsertItem", {"Bearer sales-token"});
  EXPECT_EQ(decision.code, GRPC_STATUS_PERMISSION_DENIED);
  EXPECT_NE(decision.message.find("'sales'"), std::string::npos);
}

TEST_F(AuthenticatorTest, AllowedRoleGetsItsActor) {
  AuthDecision decision =
      authenticator_.Decide("/salesops.v1.InventoryService/UpsertItem", {"Bearer admin-token"});
  EXPECT_EQ(decision.code, GRPC_STATUS_OK);
  ASSERT_TRUE(decision.actor.has_value());
  EXPECT_EQ(decision.actor->id(), "admin-1");
}

TEST_F(AuthenticatorTest, TwoAuthorizationHeadersAreRefusedWhateverTheyHold) {
  // A junk header before a valid one, two valid ones, or the same one twice: each is two
  // claims to an identity, and the call gets none.
  for (const std::vector<std::string_view>& headers :
       std::vector<std::vector<std::string_view>>{{"junk", "Bearer admin-token"},
                                                  {"Bearer sales-token", "Bearer admin-token"},
                                                  {"Bearer admin-token", "Bearer admin-token"}}) {
    AuthDecision decision = authenticator_.Decide("/salesops.v1.InventoryService/GetItem", headers);
    EXPECT_EQ(decision.code, GRPC_STATUS_UNAUTHENTICATED) << headers.front();
    EXPECT_NE(decision.message.find("more than one authorization header"), std::string::npos);
    EXPECT_FALSE(decision.actor.has_value());
  }
}

TEST_F(AuthenticatorTest, AnUnknownMethodPathIsNotEchoedInTheRefusal) {
  AuthDecision decision = authenticator_.Decide("/evil/\x1b[31mpath", {"Bearer admin-token"});
  EXPECT_EQ(decision.code, GRPC_STATUS_PERMISSION_DENIED);
  EXPECT_EQ(decision.message.find("evil"), std::string::npos) << decision.message;
}

TEST_F(AuthenticatorTest, HealthNeedsNoToken) {
  EXPECT_EQ(authenticator_.Decide("/grpc.health.v1.Health/Check", {}).code, GRPC_STATUS_OK);
}

}  // namespace
}  // namespace salesops::common
