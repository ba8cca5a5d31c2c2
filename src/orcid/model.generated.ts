// Generated from ORCID's XSDs by lib/orcid-model/generate-types.ts (npm run gen:types). Do not edit.
// ORCID's JSON: optional elements may be absent or null; lists may be absent or [].

export interface Work {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'title': Title;
  'journal-title'?: { value: string | null } | null;
  'short-description'?: string | null;
  'citation'?: Citation | null;
  'type': string;
  'publication-date'?: PublicationDate | null;
  'external-ids'?: ExternalIds | null;
  'url'?: { value: string | null } | null;
  'contributors'?: Contributors | null;
  'language-code'?: string | null;
  'country'?: Country | null;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface WorkSummary {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'title': Title;
  'external-ids'?: ExternalIds | null;
  'url'?: { value: string | null } | null;
  'type': string;
  'publication-date'?: PublicationDate | null;
  'journal-title'?: { value: string | null } | null;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface Funding {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'type': string;
  'organization-defined-type'?: { value: string | null } | null;
  'title'?: FundingTitle | null;
  'short-description'?: string | null;
  'amount'?: Amount | null;
  'url'?: { value: string | null } | null;
  'start-date'?: PublicationDate | null;
  'end-date'?: PublicationDate | null;
  'external-ids'?: ExternalIds | null;
  'contributors'?: FundingContributors | null;
  'organization': Organization;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface Employment {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'department-name'?: string | null;
  'role-title'?: string | null;
  'start-date'?: PublicationDate | null;
  'end-date'?: PublicationDate | null;
  'organization'?: Organization | null;
  'url'?: { value: string | null } | null;
  'external-ids'?: ExternalIds | null;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export type Education = Employment;

export type Qualification = Employment;

export type InvitedPosition = Employment;

export type Distinction = Employment;

export type Membership = Employment;

export type Service = Employment;

export interface PeerReview {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'reviewer-role': string;
  'review-identifiers': ExternalIds;
  'review-url'?: { value: string | null } | null;
  'review-type': string;
  'review-completion-date': PublicationDate;
  'review-group-id': string;
  'subject-external-identifier'?: SubjectExternalIdentifier | null;
  'subject-container-name'?: string | null;
  'subject-type'?: string | null;
  'subject-name'?: SubjectName | null;
  'subject-url'?: { value: string | null } | null;
  'convening-organization': Organization;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface ResearchResource {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'proposal': Proposal;
  'resource-item'?: Array<ResourceItem>;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface ResearcherUrl {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'url-name'?: string | null;
  'url': { value: string | null };
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface Keyword {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'content': string;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export type OtherName = Keyword;

export interface PersonExternalIdentifier {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'external-id-type': string;
  'external-id-value': string;
  'external-id-normalized'?: ExternalIdNormalized | null;
  'external-id-normalized-error'?: ExternalIdNormalizedError | null;
  'external-id-url'?: { value: string | null } | null;
  'external-id-relationship'?: string | null;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface Address {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'country': { value: string | null };
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface Works {
  'last-modified-date'?: { value: number | null } | null;
  'group'?: Array<Group>;
  'path'?: string | null;
}

export interface ActivitiesSummary {
  'last-modified-date'?: { value: number | null } | null;
  'distinctions'?: Distinctions | null;
  'educations'?: Educations | null;
  'employments'?: Employments | null;
  'fundings'?: Fundings | null;
  'invited-positions'?: InvitedPositions | null;
  'memberships'?: Memberships | null;
  'peer-reviews'?: PeerReviews | null;
  'qualifications'?: Qualifications | null;
  'research-resources'?: ResearchResources | null;
  'services'?: Services | null;
  'works'?: ActivitiesWorks | null;
  'path'?: string | null;
}

export interface Person {
  'last-modified-date'?: { value: number | null } | null;
  'name'?: Name | null;
  'other-names'?: OtherNames | null;
  'biography'?: Biography | null;
  'researcher-urls'?: ResearcherUrls | null;
  'emails': Emails;
  'addresses'?: Addresses | null;
  'keywords'?: Keywords | null;
  'external-identifiers'?: ExternalIdentifiers | null;
  'path'?: string | null;
}

export interface OrcidRecord {
  'orcid-identifier'?: OrcidIdentifier | null;
  'preferences'?: Preferences | null;
  'history'?: History | null;
  'person'?: Person | null;
  'activities-summary'?: ActivitiesSummary | null;
  'path'?: string | null;
}

export interface Bulk {
  'bulk'?: Array<{ 'work': Work } | { 'error': OrcidErrorBody }>;
}

export interface OrcidErrorBody {
  'response-code': number;
  'developer-message': string;
  'user-message'?: string | null;
  'error-code'?: number | null;
  'more-info'?: string | null;
}

export interface Source {
  'source-orcid'?: OrcidIdentifier | null;
  'source-client-id'?: SourceClientId | null;
  'source-name'?: { value: string | null } | null;
  'assertion-origin-orcid'?: OrcidIdentifier | null;
  'assertion-origin-client-id'?: SourceClientId | null;
  'assertion-origin-name'?: { value: string | null } | null;
}

export interface Title {
  'title': { value: string | null };
  'subtitle'?: { value: string | null } | null;
  'translated-title'?: TranslatedTitle | null;
}

export interface Citation {
  'citation-type': string;
  'citation-value': string;
}

export interface PublicationDate {
  'year': { value: string | null };
  'month'?: { value: string | null } | null;
  'day'?: { value: string | null } | null;
}

export interface ExternalIds {
  'external-id'?: Array<SubjectExternalIdentifier>;
}

export interface Contributors {
  'contributor'?: Array<Contributor>;
}

export interface Country {
  value?: string | null;
  'visibility'?: string | null;
}

export interface FundingTitle {
  'title': { value: string | null };
  'translated-title'?: TranslatedTitle | null;
}

export interface Amount {
  value?: string | null;
  'currency-code'?: string | null;
}

export interface FundingContributors {
  'contributor'?: Array<FundingContributor>;
}

export interface Organization {
  'name': string;
  'address': CommonAddress;
  'disambiguated-organization'?: DisambiguatedOrganization | null;
}

export type SubjectExternalIdentifier = PersonExternalIdentifier;

export type SubjectName = Title;

export interface Proposal {
  'title': ResearchResourceTitle;
  'hosts': Hosts;
  'external-ids': ExternalIds;
  'start-date'?: PublicationDate | null;
  'end-date'?: PublicationDate | null;
  'url'?: { value: string | null } | null;
}

export interface ResourceItem {
  'resource-name': string;
  'resource-type': string;
  'hosts': Hosts;
  'external-ids': ExternalIds;
  'url'?: { value: string | null } | null;
}

export interface ExternalIdNormalized {
  value?: string | null;
  'transient'?: boolean | null;
}

export interface ExternalIdNormalizedError {
  'error-code'?: string | null;
  'error-message'?: string | null;
  'transient'?: boolean | null;
}

export interface Group {
  'last-modified-date'?: { value: number | null } | null;
  'external-ids': ExternalIds;
  'work-summary'?: Array<WorkSummary>;
}

export interface Distinctions {
  'last-modified-date'?: { value: number | null } | null;
  'affiliation-group'?: Array<AffiliationGroup>;
  'path'?: string | null;
}

export type Educations = Distinctions;

export type Employments = Distinctions;

export interface Fundings {
  'last-modified-date'?: { value: number | null } | null;
  'group'?: Array<ActivitiesGroup>;
  'path'?: string | null;
}

export type InvitedPositions = Distinctions;

export type Memberships = Distinctions;

export interface PeerReviews {
  'last-modified-date'?: { value: number | null } | null;
  'group'?: Array<ActivitiesGroup_>;
  'path'?: string | null;
}

export type Qualifications = Distinctions;

export interface ResearchResources {
  'last-modified-date'?: { value: number | null } | null;
  'group'?: Array<ActivitiesGroup__>;
  'path'?: string | null;
}

export type Services = Distinctions;

export type ActivitiesWorks = Works;

export interface Name {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'given-names'?: { value: string | null } | null;
  'family-name'?: { value: string | null } | null;
  'credit-name'?: { value: string | null } | null;
  'visibility'?: string | null;
  'path'?: string | null;
}

export interface OtherNames {
  'last-modified-date'?: { value: number | null } | null;
  'other-name'?: Array<OtherNameOtherName>;
  'path'?: string | null;
}

export interface Biography {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'content': string;
  'visibility'?: string | null;
  'path'?: string | null;
}

export interface ResearcherUrls {
  'last-modified-date'?: { value: number | null } | null;
  'researcher-url'?: Array<ResearcherUrlResearcherUrl>;
  'path'?: string | null;
}

export interface Emails {
  'last-modified-date'?: { value: number | null } | null;
  'email'?: Array<Email>;
  'path'?: string | null;
}

export interface Addresses {
  'last-modified-date'?: { value: number | null } | null;
  'address'?: Array<AddressAddress>;
  'path'?: string | null;
}

export interface Keywords {
  'last-modified-date'?: { value: number | null } | null;
  'keyword'?: Array<KeywordKeyword>;
  'path'?: string | null;
}

export interface ExternalIdentifiers {
  'last-modified-date'?: { value: number | null } | null;
  'external-identifier'?: Array<SubjectExternalIdentifier>;
  'path'?: string | null;
}

export interface OrcidIdentifier {
  'uri'?: string | null;
  'path'?: string | null;
  'host'?: string | null;
}

export interface Preferences {
  'locale': string;
}

export interface History {
  'creation-method'?: string | null;
  'completion-date'?: { value: number | null } | null;
  'submission-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'claimed'?: { value: boolean | null } | null;
  'source'?: Source | null;
  'deactivation-date'?: { value: number | null } | null;
  'verified-email': boolean;
  'verified-primary-email': boolean;
  'visibility'?: string | null;
}

export type SourceClientId = OrcidIdentifier;

export interface TranslatedTitle {
  value?: string | null;
  'language-code'?: string | null;
}

export interface Contributor {
  'contributor-orcid'?: OrcidIdentifier | null;
  'credit-name'?: { value: string | null } | null;
  'contributor-email'?: { value: string | null } | null;
  'contributor-attributes'?: ContributorAttributes | null;
}

export interface FundingContributor {
  'contributor-orcid'?: OrcidIdentifier | null;
  'credit-name'?: { value: string | null } | null;
  'contributor-email'?: { value: string | null } | null;
  'contributor-attributes'?: FundingContributorAttributes | null;
}

export interface CommonAddress {
  'city'?: string | null;
  'region'?: string | null;
  'country'?: string | null;
}

export interface DisambiguatedOrganization {
  'disambiguated-organization-identifier': string;
  'disambiguation-source': string;
}

export type ResearchResourceTitle = FundingTitle;

export interface Hosts {
  'organization'?: Array<Organization>;
}

export interface AffiliationGroup {
  'last-modified-date'?: { value: number | null } | null;
  'external-ids': ExternalIds;
  'summaries'?: Array<{ 'distinction-summary': DistinctionSummary } | { 'invited-position-summary': DistinctionSummary } | { 'education-summary': DistinctionSummary } | { 'employment-summary': DistinctionSummary } | { 'membership-summary': DistinctionSummary } | { 'qualification-summary': DistinctionSummary } | { 'service-summary': DistinctionSummary }>;
}

export interface ActivitiesGroup {
  'last-modified-date'?: { value: number | null } | null;
  'external-ids': ExternalIds;
  'funding-summary'?: Array<FundingSummary>;
}

export interface ActivitiesGroup_ {
  'last-modified-date'?: { value: number | null } | null;
  'external-ids': ExternalIds;
  'peer-review-group'?: Array<PeerReviewGroup>;
}

export interface ActivitiesGroup__ {
  'last-modified-date'?: { value: number | null } | null;
  'external-ids': ExternalIds;
  'research-resource-summary'?: Array<ResearchResourceSummary>;
}

export type OtherNameOtherName = Keyword;

export type ResearcherUrlResearcherUrl = ResearcherUrl;

export interface Email {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'email': string;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
  'verified'?: boolean | null;
  'primary'?: boolean | null;
}

export type AddressAddress = Address;

export type KeywordKeyword = Keyword;

export interface ContributorAttributes {
  'contributor-sequence'?: string | null;
  'contributor-role'?: string | null;
}

export interface FundingContributorAttributes {
  'contributor-role'?: string | null;
}

export type DistinctionSummary = Employment;

export interface FundingSummary {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'title': FundingTitle;
  'external-ids'?: ExternalIds | null;
  'url'?: { value: string | null } | null;
  'type': string;
  'start-date'?: PublicationDate | null;
  'end-date'?: PublicationDate | null;
  'organization': Organization;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface PeerReviewGroup {
  'last-modified-date'?: { value: number | null } | null;
  'external-ids': ExternalIds;
  'peer-review-summary'?: Array<PeerReviewSummary>;
}

export interface ResearchResourceSummary {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'proposal': Proposal;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}

export interface PeerReviewSummary {
  'created-date'?: { value: number | null } | null;
  'last-modified-date'?: { value: number | null } | null;
  'source'?: Source | null;
  'reviewer-role': string;
  'external-ids'?: ExternalIds | null;
  'review-url'?: { value: string | null } | null;
  'review-type': string;
  'completion-date': PublicationDate;
  'review-group-id': string;
  'convening-organization': Organization;
  'put-code'?: number | null;
  'visibility'?: string | null;
  'display-index'?: string | number | null;
  'path'?: string | null;
}
